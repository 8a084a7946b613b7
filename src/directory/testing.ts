// A directory service in one line, for tests elsewhere (a prescription or an onward referral
// needs a real service to refer to).

import type { Queryable } from '../db/schema.ts'
import { createService, type ServiceInput } from './store.ts'

export async function createTestService(
  db: Queryable,
  providerOrganisationId: string,
  overrides: Partial<ServiceInput> = {},
): Promise<string> {
  return createService(db, providerOrganisationId, {
    name: 'Walking group',
    description: 'A friendly walk each week.',
    kind: 'activity_group',
    status: 'active',
    selfReferral: false,
    criteria: [{ kind: 'consent', id: 'consent-given', role: 'inclusion', text: 'Has given consent' }],
    criteriaNotes: '',
    additionalNeeds: '',
    disclaimer: '',
    cost: '',
    free: true,
    ageMin: null,
    ageMax: null,
    schedule: '',
    contactName: '',
    email: '',
    phone: '',
    url: '',
    lastReviewedOn: '2026-11-01',
    termIds: [],
    locations: [],
    ...overrides,
  })
}

/** How many services the directory holds (active ones unless told): what a search of everything finds. */
export async function countServices(db: Queryable, status: 'active' | 'any' = 'active'): Promise<number> {
  let query = db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n'))
  if (status === 'active') query = query.where('status', '=', 'active')
  return Number((await query.executeTakeFirstOrThrow()).n)
}
