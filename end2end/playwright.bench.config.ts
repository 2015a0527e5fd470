import { defineConfig } from '@playwright/test';

// The load benchmark and the soak run: Node scripts driving autocannon, no browser. Run by
// `make bench` and `make soak`, never by `make test`.
export default defineConfig({
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  retries: 0,
  reporter: [['list']],
});
