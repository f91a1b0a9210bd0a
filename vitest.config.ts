import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "collectors/**/*.test.ts", "reports/**/*.test.ts", "signatures/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
