/**
 * N instances of one server spec, each its own process on its own port (several instances of our service
 * on one database, as they would run behind a load balancer). Instances start one after another, so the
 * first runs the migrations and the others find them done (they are safe concurrently too: advisory lock).
 */
import { type RunningServer, type ServerSpec, startServer } from './child-server.js';

/** Started instances; `stop()` is idempotent and returns the highest peak RSS of any instance. */
export interface ServerGroup {
  servers: RunningServer[];
  urls: string[];
  stop(): Promise<number | undefined>;
}

/**
 * Starts `count` instances of `spec`; if one fails to start, the ones already running are stopped.
 *
 * @example
 * const group = await startServers(prepared.spec, 2);
 * const peakRss = await group.stop();
 */
export async function startServers(spec: ServerSpec, count: number): Promise<ServerGroup> {
  const servers: RunningServer[] = [];
  const stop = async () => {
    const peaks = await Promise.all(servers.map((server) => server.stop()));
    const known = peaks.filter((peak): peak is number => peak !== undefined);
    return known.length > 0 ? Math.max(...known) : undefined;
  };
  try {
    for (let i = 0; i < count; i++) servers.push(await startServer(spec));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    urls: servers.map((server) => server.url),
    stop,
  };
}
