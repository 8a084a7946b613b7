import { freshDatabase } from '../src/db/testing.ts'
import { seedDemo } from '../src/demo.ts'
import { buildReport } from '../src/reports/catalogue.ts'
import { resolveScope, visibleScopes, REPORTS } from '../src/reports/scope.ts'
import { loadCurrentUser } from '../src/access/store.ts'
const t0 = performance.now()
const { db, close } = await freshDatabase('sqlite') as any
const t1 = performance.now()
const demo = await seedDemo(db)
console.log('seed ms', Math.round(performance.now() - t1), 'db ms', Math.round(t1 - t0))
const admin = (await loadCurrentUser(db, demo.access.users['admin@kith.example']!))!
const visible = await visibleScopes(db, admin)
for (const [key, id] of Object.entries(demo.programmes.programmes)) {
  const r = await resolveScope(visible, { programme: id }, new Date())
  if (!r.ok) throw new Error('scope')
  const out: string[] = []
  for (const rep of REPORTS) {
    const v = await buildReport(db, rep.name, r.scope)
    out.push(`${rep.name}: ${v.figures.map((f) => `${f.label}=${f.value}`).join('; ')}`)
    if (rep.name === 'outcomes' || rep.name==='referrals') out.push(JSON.stringify(v.json).slice(0, 600))
  }
  console.log(`== ${key}\n  ${out.join('\n  ')}`)
}
await close?.()
