/**
 * A loopback HTTP receiver that records every request (arrival time, headers, exact body) and answers
 * with whatever status the test chooses, to watch how the emulator delivers.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listen } from './listen.js';

export interface ReceivedRequest {
  atMs: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingReceiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a receiver; `answer` picks the status of each request (default 200). */
export async function startRecordingReceiver(
  answer: (request: ReceivedRequest, index: number) => number = () => 200,
): Promise<RecordingReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const atMs = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { atMs, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      res.writeHead(answer(request, requests.length - 1), { 'content-type': 'application/json' }).end('{}');
    });
  });
  const { url, close } = await listen(server);
  return { url: `${url}/webhooks/persona`, requests, close };
}
