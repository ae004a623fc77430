// A loopback HTTP server in its own process, so it never shares an event loop with the client
// being measured. Answers every request with a small Upstox-style JSON body; tells the parent
// its port, and exits when the parent says `stop` or goes away.
import { createServer } from 'node:http';
import { runWorker, tellParent } from '../child.js';

const BODY = JSON.stringify({
  status: 'success',
  data: {
    user_id: 'BENCH0',
    user_name: 'Bench User',
    broker: 'UPSTOX',
    is_active: true,
  },
});

runWorker(async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(BODY),
      });
      res.end(BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  tellParent({ type: 'ready', port });
});
