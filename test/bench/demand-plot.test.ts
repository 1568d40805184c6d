import { describe, expect, it } from 'vitest';
import { demandPlot, downsample } from '../../bench/replay/demand-plot.js';

describe('the replay plot', () => {
  it('downsamples by slices of time, keeping each slice’s peak at its own time', () => {
    // Iterations crowd into the first hour (early ones), then space out: index would skew the time axis.
    const points = [
      { hours: 0, value: 1 },
      { hours: 0.1, value: 9 },
      { hours: 0.2, value: 2 },
      { hours: 0.3, value: 3 },
      { hours: 5, value: 4 },
      { hours: 10, value: 5 },
    ];
    expect(downsample(points, 10, 4)).toEqual([
      { hours: 0.1, value: 9 },
      { hours: 5, value: 4 },
      { hours: 10, value: 5 },
    ]);
    expect(downsample(points, 10, 10)).toEqual(points);
  });

  it('places points along the time axis by their hour', () => {
    const timeline = [0, 0.5, 10].map((hours) => ({
      hours,
      pendingTasks: 1,
      runningTasks: 0,
      runningInstances: 0,
      pendingInstances: 1,
      launches: 0,
    }));
    const svg = demandPlot('t', [{ title: 's', points: timeline }]);
    // Plot width 1020 from x=60: 0.5 h of 10 h is 51 px in, not half-way as its index would put it.
    expect(svg).toContain('M60.0,');
    expect(svg).toContain('L111.0,');
    expect(svg).toContain('L1080.0,');
  });
});
