/**
 * The part of the `ioredis` package's API the cluster code uses, typed here:
 * the package's own typings pull in Node.js's, which would replace Deno's
 * timer and global types in every file of the program.
 *
 * @module
 */

/** Options of a connection (only those the cluster sets). */
export interface RedisOptions {
  /** Refuse commands at once while disconnected, instead of queueing them. */
  enableOfflineQueue?: boolean;
  /** Retries of a command across reconnects before it fails. */
  maxRetriesPerRequest?: number | null;
  /** How long a command may wait for its reply, in ms. */
  commandTimeout?: number;
  /** How long connecting may take, in ms. */
  connectTimeout?: number;
  /** Connect only on `connect()`. */
  lazyConnect?: boolean;
  /** Delay before the next reconnect attempt, in ms (`null`: give up). */
  retryStrategy?: (times: number) => number | null;
  /** The name `CLIENT LIST` shows. */
  connectionName?: string;
  /** Wait for `INFO` to say the server is loaded before `ready`. */
  enableReadyCheck?: boolean;
}

/** One connection to Redis, reconnecting by itself. */
export declare class Redis {
  constructor(url: string, options?: RedisOptions);
  /** `"wait"`, `"connecting"`, `"connect"`, `"ready"`, `"reconnecting"`, `"close"`, `"end"`. */
  readonly status: string;
  connect(): Promise<void>;
  quit(): Promise<string>;
  disconnect(reconnect?: boolean): void;
  /** Sends any command; resolves with its reply. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "ready" | "close" | "end" | "reconnecting", listener: () => void): this;
  off(event: "ready" | "close" | "end" | "reconnecting", listener: () => void): this;
}
