import { execFile } from 'node:child_process';
import type { Clock } from '@switchyard/core';
import { ChildMonitor } from './child-monitor';
import type { InterfaceFeed, InterfaceFeedListener, InterfaceSource } from './interface-source';
import { parseIpAddrShow, type IpLink } from './nic-state';

export interface Iproute2Options {
  /** The `ip` program; default `ip` from PATH. */
  ip?: string;
  /**
   * Network namespace to look into (`ip -n <netns> …`). Default: the
   * process's own, which is what a node wants; tests and tools set it.
   */
  netns?: string;
  /** Time limit of one `ip -json addr show`, ms. Default 1000. */
  readTimeoutMs?: number;
}

/**
 * Interfaces from iproute2: `ip -json addr show` (execFile with a time
 * limit) to read them, and a long-running `ip -json monitor link address`
 * whose every output line means "something changed". The monitor's lines
 * are not parsed further: iproute2 before 6.x prints them as text even with
 * `-json`, and a fresh read says all that matters.
 */
export class Iproute2Interfaces implements InterfaceSource {
  private readonly ip: string;
  private readonly prefix: string[];
  private readonly readTimeoutMs: number;

  constructor(options: Iproute2Options = {}) {
    this.ip = options.ip ?? 'ip';
    this.prefix = options.netns ? ['-n', options.netns] : [];
    this.readTimeoutMs = options.readTimeoutMs ?? 1000;
  }

  read(): Promise<IpLink[]> {
    return new Promise((resolve, reject) => {
      execFile(
        this.ip,
        [...this.prefix, '-json', 'addr', 'show'],
        { timeout: this.readTimeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          if (error) {
            const detail = String(stderr).trim().split('\n')[0];
            reject(new Error(`${this.ip} -json addr show failed: ${error.message}${detail ? ` (${detail})` : ''}`, { cause: error }));
            return;
          }
          try {
            resolve(parseIpAddrShow(String(stdout)));
          } catch (parseError) {
            reject(new Error(`${this.ip} -json addr show printed something unreadable: ${(parseError as Error).message}`, { cause: parseError }));
          }
        },
      );
    });
  }

  watch(listener: InterfaceFeedListener, clock: Clock): InterfaceFeed {
    const monitor = new ChildMonitor({
      argv: [this.ip, ...this.prefix, '-json', 'monitor', 'link', 'address'],
      clock,
      onLine: () => listener.changed(),
      onRestart: () => listener.changed(),
      onError: (message) => listener.error(message),
    });
    monitor.start();
    return { stop: () => monitor.stop() };
  }
}
