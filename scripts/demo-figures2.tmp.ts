import { freshDatabase } from '../src/db/testing.ts'
import { seedDemo } from '../src/demo.ts'
import { buildReport } from '../src/reports/catalogue.ts'
import { resolveScope, visibleScopes } from '../src/reports/scope.ts'
import { loadCurrentUser } from '../src/access/store.ts'
const { db } = await freshDatabase((process.env.DB as any) ?? 'sqlite') as any
const t1 = performance.now()
const demo = await seedDemo(db)
console.log('seed ms', Math.round(performance.now() - t1))
const admin = (await loadCurrentUser(db, demo.access.users['admin@kith.example']!))!
const visible = await visibleScopes(db, admin)
for (const [key, id] of Object.entries(demo.programmes.programmes)) {
  const r = await resolveScope(visible, { programme: id }, new Date())
  if (!r.ok) throw new Error('scope')
  const v = await buildReport(db, 'outcomes', r.scope)
  const j = v.json as any
  console.log(key, j.instruments.map((i: any) => `${i.id}: people ${i.people} pairs ${i.withFirstAndLatest} ` + i.scores.map((s: any) => `${s.id} Δ${s.meanChange?.toFixed?.(2)} imp ${s.improvedMeaningfully}`).join(', ')).join(' | '), JSON.stringify(j.payments))
}
