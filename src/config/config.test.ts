import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives every setting a working default', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.mllpPort).toBe(2575);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.statisticsIntervalS).toBe(60);
  });

  it('reads the planner statistics interval, where 0 turns the refresh off', () => {
    expect(loadConfig({ KITH_STATISTICS_INTERVAL_S: '300' }).statisticsIntervalS).toBe(300);
    expect(loadConfig({ KITH_STATISTICS_INTERVAL_S: '0' }).statisticsIntervalS).toBe(0);
  });

  it('names the variable and the value it refuses', () => {
    expect(() => loadConfig({ KITH_STATISTICS_INTERVAL_S: 'soon' })).toThrow(
      "KITH_STATISTICS_INTERVAL_S must be a whole number of seconds (0 or more), not 'soon'",
    );
    expect(() => loadConfig({ KITH_STATISTICS_INTERVAL_S: '-5' })).toThrow(/not '-5'/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow("PORT must be a port number, not '70000'");
  });
});
