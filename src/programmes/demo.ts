// One programme for every scheme in the seeds, and one for the marketplace listing.
// Their rules, practices and appointment settings are added by the rest of the programmes demo.

import type { AccessDemo } from '../access/demo.ts'
import type { Db } from '../db/schema.ts'
import { createProgramme } from './store.ts'

export const DEMO_PROGRAMMES: { key: string; name: string; owner: string }[] = [
  { key: 'culm', name: 'Culm Valley health facilitator', owner: 'culm.centre' },
  { key: 'wtw', name: 'Ways to Wellness', owner: 'wtw' },
  { key: 'er', name: 'East Riding social prescribing', owner: 'er.council' },
  { key: 'bwd.recovery', name: 'Volunteering on prescription: drug and alcohol recovery', owner: 'bwd.cvs' },
  { key: 'bwd.mental-health', name: 'Volunteering on prescription: mental health', owner: 'bwd.cvs' },
  { key: 'luton', name: 'Luton social prescribing', owner: 'luton.council' },
  { key: 'roth', name: 'Rotherham social prescribing', owner: 'roth.var' },
  { key: 'cots', name: 'Cotswold social prescribing', owner: 'cots.council' },
  { key: 'th', name: 'Tower Hamlets social prescribing', owner: 'th.gpcg' },
  { key: 'merton', name: 'Merton social prescribing navigators', owner: 'merton.mvsc' },
]

export interface ProgrammesDemo {
  /** Programme ids by their demo key (`wtw`). */
  programmes: Record<string, string>
}

export async function seedProgrammesDemo(db: Db, access: AccessDemo): Promise<ProgrammesDemo> {
  return db.transaction().execute(async (trx) => {
    const programmes: Record<string, string> = {}
    for (const programme of DEMO_PROGRAMMES) {
      const owner = access.organisations[programme.owner]
      if (!owner)
        throw new Error(`Demo programme ${programme.key} names unknown organisation ${programme.owner}`)
      programmes[programme.key] = await createProgramme(trx, {
        name: programme.name,
        ownerOrganisationId: owner,
      })
    }
    return { programmes }
  })
}
