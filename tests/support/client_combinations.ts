/**
 * Every way the official `@microsoft/signalr` client can reach the hub, for
 * tests that run once per combination.
 *
 * @module
 */

import { HttpTransportType } from "@microsoft/signalr";
import type { ClientOptions } from "./hub_client.ts";

/**
 * What the official client can be set to: each protocol over each transport
 * that can carry it (MessagePack can't ride Server-Sent Events), and
 * stateful reconnect, granted over WebSockets and asked for over long
 * polling. The first five are the protocols over the transports alone.
 */
export const CLIENT_COMBINATIONS: readonly (ClientOptions & { readonly name: string })[] = [
  { name: "JSON over WebSockets", transport: HttpTransportType.WebSockets },
  { name: "JSON over Server-Sent Events", transport: HttpTransportType.ServerSentEvents },
  { name: "JSON over long polling", transport: HttpTransportType.LongPolling },
  {
    name: "MessagePack over WebSockets",
    protocol: "messagepack",
    transport: HttpTransportType.WebSockets,
  },
  {
    name: "MessagePack over long polling",
    protocol: "messagepack",
    transport: HttpTransportType.LongPolling,
  },
  {
    name: "JSON over WebSockets, stateful reconnect",
    transport: HttpTransportType.WebSockets,
    statefulReconnect: true,
  },
  {
    name: "MessagePack over WebSockets, stateful reconnect",
    protocol: "messagepack",
    transport: HttpTransportType.WebSockets,
    statefulReconnect: true,
  },
  {
    name: "JSON over long polling, stateful reconnect asked (WebSockets only grant it)",
    transport: HttpTransportType.LongPolling,
    statefulReconnect: true,
  },
];
