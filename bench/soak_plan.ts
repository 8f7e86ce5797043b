/**
 * Who plays in the soak: 24 players on the official client, each on its own
 * account, spread over every protocol and transport the hub speaks, each
 * with a way of coming and going (see `soak_client.ts`), a few of them idlers
 * who leave the game alone for minutes.
 *
 * @module
 */

import { HttpTransportType } from "@microsoft/signalr";
import type { ClientPlan, Style } from "./soak_client.ts";

interface Kind {
  readonly name: string;
  readonly protocol: "json" | "messagepack";
  readonly transport: HttpTransportType;
  /** One entry per player of this kind. */
  readonly styles: readonly Style[];
}

const KINDS: readonly Kind[] = [
  {
    name: "ws-json",
    protocol: "json",
    transport: HttpTransportType.WebSockets,
    styles: ["steady", "steady", "restart", "auto"],
  },
  {
    name: "ws-msgpack",
    protocol: "messagepack",
    transport: HttpTransportType.WebSockets,
    styles: ["steady", "steady", "restart", "auto"],
  },
  {
    name: "ws-json-stateful",
    protocol: "json",
    transport: HttpTransportType.WebSockets,
    styles: ["stateful", "stateful"],
  },
  {
    name: "ws-msgpack-stateful",
    protocol: "messagepack",
    transport: HttpTransportType.WebSockets,
    styles: ["stateful"],
  },
  {
    name: "sse-json",
    protocol: "json",
    transport: HttpTransportType.ServerSentEvents,
    styles: ["steady", "steady", "restart", "auto"],
  },
  {
    name: "lp-json",
    protocol: "json",
    transport: HttpTransportType.LongPolling,
    styles: ["steady", "steady", "restart", "auto"],
  },
  {
    name: "lp-msgpack",
    protocol: "messagepack",
    transport: HttpTransportType.LongPolling,
    styles: ["steady", "restart", "auto"],
  },
];

/**
 * With several servers every transport is offered (a request for a connection
 * another server holds is relayed to it), but not stateful reconnect (a
 * connection lives on one server): the same players, stateful ones on
 * automatic reconnect instead.
 */
const CLUSTER_KINDS: readonly Kind[] = KINDS.map((kind) => ({
  ...kind,
  styles: kind.styles.map((style) => style === "stateful" ? "auto" : style),
}));

/** The soak's players (`cluster`: for several servers); the second `steady` of each kind idles. */
export function soakPlans(cluster = false): ClientPlan[] {
  return (cluster ? CLUSTER_KINDS : KINDS).flatMap((kind) =>
    kind.styles.map((style, i) => ({
      name: `${kind.name}-${i + 1}-${style}`,
      protocol: kind.protocol,
      transport: kind.transport,
      style,
      idler: style === "steady" && i % 4 === 1,
    }))
  );
}

/** Whether a plan's network goes through a proxy the soak cuts now and then. */
export function isCut(plan: ClientPlan): boolean {
  return plan.style === "auto" || plan.style === "stateful";
}
