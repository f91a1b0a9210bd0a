import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "collectors/**/*.test.ts", "reports/**/*.test.ts", "signatures/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // each run's temporary files under a directory of its own, removed at the end
    globalSetup: ["./vitest.global-setup.ts"],
  },
});
