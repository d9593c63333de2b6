/** Issue 14: the audit trail a LAN attacker fills with failed logins keeps only its newest rows. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Audit } from '../../edge/console/audit.js';
import { consoleMigrations } from '../../edge/console/auth/accounts.js';
import { silentLogger } from '../../edge/log.js';
import { migrate, openDatabase } from '../../edge/store/db.js';

const dir = mkdtempSync(join(tmpdir(), 'pe-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit retention', () => {
  it('keeps the newest rows and drops the oldest', () => {
    const db = openDatabase(join(dir, 'edge.db'));
    migrate(db, 'console', consoleMigrations);
    const audit = new Audit(db, silentLogger(), 150);
    for (let i = 0; i < 1000; i++) audit.record({ user: 'admin', ip: '127.0.0.9', action: 'login', ok: false, detail: `#${i}` });
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM console_audit').get() as { n: number };
    expect(n).toBeGreaterThanOrEqual(150);
    expect(n).toBeLessThanOrEqual(250); // pruned every 100 inserts
    expect(audit.recent(1)[0]!.detail).toBe('#999');
    const oldest = db.prepare('SELECT detail FROM console_audit ORDER BY id LIMIT 1').get() as { detail: string };
    expect(Number(oldest.detail.slice(1))).toBeGreaterThanOrEqual(750);
    db.close();
  });
});
