// Link workers' development: what a programme requires, where each worker stands on each
// course (current, expiring, lapsed, never done), and what needs renewing next.

import { z } from 'zod'

/** A course counts as expiring when it lapses within this many days. */
export const EXPIRING_DAYS = 60

export interface TrainingRecord {
  id: string
  userId: string
  course: string
  provider: string
  completedOn: string
  expiresOn: string | null
}

export type Standing = 'current' | 'expiring' | 'lapsed' | 'missing'

export interface CourseStanding {
  course: string
  standing: Standing
  /** The latest record of the course, if any. */
  latest: TrainingRecord | undefined
}

const key = (course: string) => course.trim().toLowerCase()

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** Where a worker stands on each required course, given their records. */
export function standings(
  required: readonly string[],
  records: readonly TrainingRecord[],
  today: string,
): CourseStanding[] {
  return required.map((course) => {
    const mine = records
      .filter((r) => key(r.course) === key(course))
      .sort(
        (a, b) =>
          (b.expiresOn ?? '9999-12-31').localeCompare(a.expiresOn ?? '9999-12-31') ||
          b.completedOn.localeCompare(a.completedOn),
      )
    const latest = mine[0]
    const standing: Standing = !latest
      ? 'missing'
      : latest.expiresOn === null
        ? 'current'
        : latest.expiresOn < today
          ? 'lapsed'
          : latest.expiresOn <= addDays(today, EXPIRING_DAYS)
            ? 'expiring'
            : 'current'
    return { course, standing, latest }
  })
}

/** What needs doing soonest first: never done and lapsed, then by expiry. */
export function renewalOrder(a: CourseStanding, b: CourseStanding): number {
  const rank = { missing: 0, lapsed: 1, expiring: 2, current: 3 }
  return (
    rank[a.standing] - rank[b.standing] ||
    (a.latest?.expiresOn ?? '9999-12-31').localeCompare(b.latest?.expiresOn ?? '9999-12-31') ||
    a.course.localeCompare(b.course)
  )
}

const day = (message: string) => z.string({ error: message }).regex(/^\d{4}-\d{2}-\d{2}$/, message)

export const trainingSchema = z
  .object({
    userId: z.string().trim().min(1, 'Choose the link worker'),
    course: z.string().trim().min(1, 'Enter the course, like Safeguarding adults level 2').max(200),
    provider: z.string().trim().min(1, 'Enter who provided it').max(200),
    completedOn: day('Enter the day it was completed, like 27 11 2026'),
    expiresOn: z
      .string()
      .default('')
      .refine((s) => s === '' || /^\d{4}-\d{2}-\d{2}$/.test(s), 'Enter the day it expires, like 27 11 2028'),
  })
  .refine((v) => v.expiresOn === '' || v.expiresOn > v.completedOn, {
    path: ['expiresOn'],
    message: 'The expiry must be after the day it was completed',
  })

export const supervisionSchema = z.object({
  userId: z.string().trim().min(1, 'Choose the link worker'),
  supervisor: z.string().trim().min(1, 'Enter who gave the supervision').max(200),
  heldOn: day('Enter the day of the session, like 27 11 2026'),
})

export const requiredSchema = z.object({
  courses: z
    .string()
    .default('')
    .transform((text) => [
      ...new Map(
        text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line.length > 0)
          .map((line) => [key(line), line.slice(0, 200)]),
      ).values(),
    ])
    .refine((list) => list.length <= 30, 'List no more than 30 courses'),
})
