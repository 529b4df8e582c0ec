// A Node process under tsx that does nothing: its RSS is the floor under every Podling process (runtime, tsx
// loader), the same-run baseline for the kubelet's memory in agent-footprint.ts.
process.stdout.write(JSON.stringify({ msg: 'listening' }) + '\n');
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
