// lambda_endpoint.mjs — the Lambda Invoke API on loopback, as fast as Node's
// http module answers, for measuring what a Task's HTTP call costs
// (bench/aws_overhead.sh).  It serves the benchmark's functions (fnN: value
// + 1; song; lyrics) without checking signatures (tests/aws/fake_lambda.py
// checks them); prints its port, stops when stdin closes.
import http from 'node:http';

const fns = {
  song: (e) => ({ song: e && e.name === 'PSY' ? 'gangnam style' : 'i dont know' }),
  lyrics: (e) => ({ lyrics: e && e.song === 'gangnam style' ? 'oh oh oh oh oh pan gangnam style' : "i don't know" }),
};
for (let i = 1; i <= 10; i++) fns['fn' + i] = (e) => ({ value: e.value + 1 });

const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const m = /^\/2015-03-31\/functions\/([^/?]+)\/invocations/.exec(req.url);
    const fn = m && fns[decodeURIComponent(m[1])];
    if (!fn) {
      res.writeHead(404, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ResourceNotFoundException' });
      res.end('{"message":"Function not found"}');
      return;
    }
    const body = JSON.stringify(fn(JSON.parse(Buffer.concat(chunks).toString() || 'null')));
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST',
                         'x-amzn-RequestId': 'bench', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
