// Stands in for `ip monitor` in tests: prints "start <pid>", then acts out the mode given as argv[2].
const mode = process.argv[2];
process.stdout.write(`start ${process.pid}\n`);
if (mode === 'exit') {
  process.stdout.write('3: va    inet 198.51.100.77/24 scope global va\n');
  process.stderr.write('Cannot talk to rtnetlink\n');
  process.exitCode = 3;
} else if (mode === 'long-line') {
  process.stdout.write('x'.repeat(100_000));
  process.stdout.write('still the long line\nafter\n');
  setInterval(() => undefined, 1000);
} else {
  setInterval(() => undefined, 1000);
}
