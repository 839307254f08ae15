import type { Queryable } from '../../store';

/**
 * The Patient ids a consent signed for one Patient covers: that Patient and every Patient linked to
 * the same Person by identity resolution (src/identity), so it follows the person's other records.
 */
export async function linkedPatients(db: Queryable, patientRef: string | undefined): Promise<string[]> {
  if (!patientRef?.startsWith('Patient/')) return [];
  const id = patientRef.slice('Patient/'.length);
  const { rows } = await db.query(`select to_regclass('identity_links') is not null as present`);
  if (!rows[0].present) return [id];
  const linked = await db.query(
    `select distinct l2.patient_id as id from identity_links l1
     join identity_links l2 on l2.person_id = l1.person_id where l1.patient_id = $1`,
    [id],
  );
  return [...new Set([id, ...linked.rows.map((r) => r.id as string)])].sort();
}
