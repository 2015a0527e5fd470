import type { ChildProcess } from 'node:child_process';

/** Processes a spec file starts (portals, proxies), stopped after each test, the newest first. */
export class Processes {
  private started: { child: ChildProcess; signal?: NodeJS.Signals }[] = [];

  /**
   * Keeps `child` to stop later; answers it. `signal` is the one it must always be stopped with:
   * nginx's workers outlive a master killed with SIGKILL, still listening on its port.
   */
  add(child: ChildProcess, signal?: NodeJS.Signals): ChildProcess {
    this.started.push({ child, signal });
    return child;
  }

  /** Stops every one still running with `signal` (or its own), waiting for each to exit. */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM') {
    for (const { child, signal: own } of this.started.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill(own ?? signal);
        await exited;
      }
    }
    this.started = [];
  }
}
