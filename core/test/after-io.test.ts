import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { afterIo } from '../src/after-io';

describe('afterIo', () => {
  it('runs after the I/O that was waiting when a timer fired, and not once cancelled', async () => {
    const receiver = createSocket('udp4');
    const sender = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => sender.connect(receiver.address().port, '127.0.0.1', resolve));
      const seen: string[] = [];
      receiver.on('message', (m) => seen.push(`datagram ${m.toString()}`));
      const done = new Promise<void>((resolve) => {
        setTimeout(() => {
          // A peer's message arrives while this (long) turn runs: it waits, unread, in the socket.
          sender.send('hello');
          const blockUntil = Date.now() + 20;
          while (Date.now() < blockUntil) {
            // the long turn
          }
          seen.push('timer');
          afterIo(() => {
            seen.push('afterIo');
            resolve();
          });
          afterIo(() => seen.push('cancelled')).cancel();
        }, 0);
      });
      await done;
      expect(seen).toEqual(['timer', 'datagram hello', 'afterIo']);
    } finally {
      receiver.close();
      sender.close();
    }
  });
});
