// Housekeeping that keeps the database small: ended sessions, expired sign-in failures and
// request-limit windows that have ended.

import { sessionPolicy } from '../access/plugin.ts'
import { removeEndedWindows } from '../access/rate-limits.ts'
import { removeExpiredSessions } from '../access/sessions.ts'
import { removeOldSignInFailures } from '../access/sign-in-limits.ts'
import type { Config } from '../config.ts'
import type { Job } from './scheduler.ts'

const FIFTEEN_MINUTES = 15 * 60_000

export function housekeepingJobs(config: Config): Job[] {
  return [
    {
      name: 'access.remove-expired-sessions',
      every: FIFTEEN_MINUTES,
      run: (db, now) => removeExpiredSessions(db, sessionPolicy(config), now),
    },
    {
      name: 'access.remove-old-sign-in-failures',
      every: FIFTEEN_MINUTES,
      run: (db, now) => removeOldSignInFailures(db, now),
    },
    {
      name: 'access.remove-ended-rate-limit-windows',
      every: FIFTEEN_MINUTES,
      run: (db, now) => removeEndedWindows(db, now.getTime()),
    },
  ]
}
