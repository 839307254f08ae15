import { describe, expect, it } from 'vitest';
import { fitProjection } from './map-projection';

describe('directory map projection', () => {
  it('keeps north up, fits the points inside the padding and keeps distances in proportion', () => {
    const a = { lat: 40.8, long: -124.2 };
    const b = { lat: 40.7, long: -124.0 };
    const p = fitProjection([a, b], 700, 400, 20);
    const pa = p.project(a);
    const pb = p.project(b);
    expect(pa.y).toBeLessThan(pb.y); // a is further north: higher on the map
    expect(pa.x).toBeLessThan(pb.x); // and further west
    for (const q of [pa, pb]) {
      expect(q.x).toBeGreaterThanOrEqual(20 - 1e-9);
      expect(q.x).toBeLessThanOrEqual(680 + 1e-9);
      expect(q.y).toBeGreaterThanOrEqual(20 - 1e-9);
      expect(q.y).toBeLessThanOrEqual(380 + 1e-9);
    }
    // 0.1° of latitude is 11.13 km; 0.2° of longitude at 40.75° N is about 16.86 km.
    const unitsPerKm = p.scale.length / (p.scale.miles * 1.609344);
    expect(Math.abs(pb.y - pa.y) / unitsPerKm).toBeCloseTo(11.13, 1);
    expect(Math.abs(pb.x - pa.x) / unitsPerKm).toBeCloseTo(16.86, 1);
  });

  it('picks a round scale (1, 2 or 5 × 10^k miles) no longer than a quarter of the width', () => {
    const p = fitProjection(
      [
        { lat: 40, long: -120 },
        { lat: 40.5, long: -119 },
      ],
      800,
      400,
    );
    expect(String(p.scale.miles)).toMatch(/^(1|2|5)(0*)$|^0\.(0*)(1|2|5)$/);
    expect(p.scale.length).toBeLessThanOrEqual(200);
    expect(p.scale.length).toBeGreaterThan(40);
  });

  it('gives one point a mile-wide view in the middle', () => {
    const p = fitProjection([{ lat: 10, long: 10 }], 400, 400);
    expect(p.project({ lat: 10, long: 10 })).toEqual({ x: 200, y: 200 });
    expect(p.scale.miles).toBeLessThanOrEqual(0.5);
  });
});
