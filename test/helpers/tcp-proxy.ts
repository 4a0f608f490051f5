/**
 * A TCP proxy on 127.0.0.1 for outage tests: `cut()` drops every open connection and refuses new ones
 * (the port stops listening, so connects fail fast with ECONNREFUSED, like a database that went away);
 * `restore()` listens on the same port again. `stall()` is the nastier partition: connections stay
 * open but no byte moves (nothing is lost, only held) until `unstall()`.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number;
  /** Destroys all proxied sockets and stops accepting. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /** Holds every byte in both directions, on open and new connections alike. */
  stall(): void;
  /** Lets the held bytes through and forwards normally again. */
  unstall(): void;
  /** Cuts and stops for good. */
  close(): Promise<void>;
}

/** Starts proxying 127.0.0.1:<random port> to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (stalled) socket.pause();
  };
  const newServer = () =>
    createServer((client) => {
      const upstream = connect(target.port, target.host);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      // After pipe(), which resumes its source: paused before it, a connection opened during a stall
      // would flow freely.
      track(client);
      track(upstream);
    });

  let server: Server | undefined = newServer();
  const port = await listen(server, 0);

  const cut = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  return {
    port,
    cut,
    stall() {
      stalled = true;
      for (const socket of sockets) socket.pause();
    },
    unstall() {
      stalled = false;
      for (const socket of sockets) socket.resume();
    },
    async restore() {
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: cut,
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
