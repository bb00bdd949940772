// Raw TCP servers for protocol-violation tests: each connection gets hand-made bytes, so tests can
// send what node:http never would (bad framing, truncated bodies, garbage status lines, resets).
import net from "node:net";
import type { AddressInfo } from "node:net";

/** What a raw server does with one connection; `request` is the first request's head (up to CRLFCRLF). */
export type RawHandler = (socket: net.Socket, request: string, index: number) => void | Promise<void>;

export interface RawServer {
  server: net.Server;
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order (every request on every connection). */
  heads: string[];
  /** Every byte received, per connection. */
  received: Buffer[];
  close(): Promise<void>;
}

/**
 * Starts a raw server on 127.0.0.1:0. The handler runs once per request head received (so a
 * keep-alive connection calls it again for its next request), with the connection's index.
 */
export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state: RawServer = {
    server: undefined as unknown as net.Server,
    port: 0,
    origin: "",
    connections: 0,
    heads: [],
    received: [],
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => state.server.close(() => resolve()));
    },
  };
  state.server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const index = state.connections++;
    state.received[index] = Buffer.alloc(0);
    let pending = "";
    socket.on("data", (chunk: Buffer) => {
      state.received[index] = Buffer.concat([state.received[index]!, chunk]);
      pending += chunk.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        // Skip a declared body so it is not mistaken for the next head.
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (length) pending = pending.slice(Number(length[1]));
        state.heads.push(head);
        void Promise.resolve(handler(socket, head, index)).catch(() => socket.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  state.port = (state.server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}

/** Writes hand-made bytes to a connection, ending it (FIN) when asked. */
export function respond(socket: net.Socket, text: string | Buffer, { end = false } = {}): void {
  socket.write(text);
  if (end) socket.end();
}

/** Resets a socket (TCP RST). */
export function reset(socket: net.Socket): void {
  socket.resetAndDestroy();
}

/** A free port with nothing listening on it (for ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
