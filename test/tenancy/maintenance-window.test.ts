// Maintenance windows: one parser for RolloutPlan (refuses what does not parse) and kmetal plan
// (flags a rolling change outside the window), in UTC so the answer is the same on every machine.
import { App, Chart } from 'cdk8s';
import { MachineImage, RolloutPlan, TenantClusterClass } from '../../src';
import { isInMaintenanceWindow, parseMaintenanceWindow, ParsedMaintenanceWindow } from '../../src/tenancy/maintenance-window';
import { KmetalValidationError } from '../../src/util/errors';

function window(text: string): ParsedMaintenanceWindow {
  const w = parseMaintenanceWindow(text);
  if (typeof w === 'string') throw new Error(w);
  return w;
}

// 2026-12-05 is a Saturday.
const at = (iso: string) => new Date(iso);

describe('parseMaintenanceWindow / isInMaintenanceWindow', () => {
  test('a day and hours: start inclusive, end exclusive', () => {
    const w = window('Sat 02:00-06:00 UTC');
    expect(isInMaintenanceWindow(w, at('2026-12-05T02:00Z'))).toBe(true);
    expect(isInMaintenanceWindow(w, at('2026-12-05T05:59Z'))).toBe(true);
    expect(isInMaintenanceWindow(w, at('2026-12-05T06:00Z'))).toBe(false);
    expect(isInMaintenanceWindow(w, at('2026-12-06T03:00Z'))).toBe(false);
  });

  test('day ranges (also across the week\'s end) and lists', () => {
    const w = window('Tue-Thu 06:00-16:00 UTC');
    // Monday 2026-11-30 to Friday 2026-12-04.
    const days = ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
    expect(days.map((d) => isInMaintenanceWindow(w, at(`${d}T10:00Z`)))).toEqual([false, true, true, true, false]);
    expect([...window('Fri-Mon 00:00-24:00 UTC').days].sort()).toEqual([0, 1, 5, 6]);
    expect([...window('Mon,Wed,Fri-Sun 00:00-01:00 UTC').days].sort()).toEqual([0, 1, 3, 5, 6]);
    expect(window('daily 00:00-24:00 UTC').days.size).toBe(7);
  });

  test('a window past midnight continues into the next day', () => {
    const w = window('Sat 22:00-02:00 UTC');
    expect(isInMaintenanceWindow(w, at('2026-12-05T23:00Z'))).toBe(true);
    expect(isInMaintenanceWindow(w, at('2026-12-06T01:30Z'))).toBe(true);
    expect(isInMaintenanceWindow(w, at('2026-12-05T01:30Z'))).toBe(false);
  });

  test.each(['any time', 'Sat 02:00-06:00', 'Sat 02:00-06:00 CET', 'Sun-Funday 02:00-03:00 UTC', 'Sat 25:00-26:00 UTC', 'Sat 02:00-02:00 UTC'])('refuses %j', (text) => {
    expect(typeof parseMaintenanceWindow(text)).toBe('string');
  });

  test('RolloutPlan refuses a window that does not parse, naming the wave\'s field', () => {
    const chart = new Chart(new App(), 'c');
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0') });
    let error: unknown;
    try {
      new RolloutPlan(chart, 'waves', { clusterClass: golden, waves: [{ name: 'all', maintenanceWindow: 'weekends' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KmetalValidationError);
    expect((error as KmetalValidationError).field).toBe('waves[0].maintenanceWindow');
    expect((error as KmetalValidationError).message).toMatch(/"weekends" is not a window.*Fix: write it "<days> HH:MM-HH:MM UTC"/s);
  });
});
