// A year of activity behind every scheme in the demo, so that the reports have something to say
// on `npm start`: fictional people at the schemes' practices, referred by the scheme's own kinds
// of referrer (GP, social care, a multidisciplinary team, themselves), most accepted, some declined
// with a reason, declined automatically for want of a reply or withdrawn; a case for each accepted
// one, opened over the past year and closed after one to four months, with the needs the person
// presented with, appointments in the scheme's own modes, onward referrals and signposts to the
// directory's services, and (where the scheme prescribes: Luton, Rotherham) a prescription of an
// activity with the sessions attended and its review. East Riding's GPs refer straight to its
// services. Made deterministically (a seeded random sequence) and in bulk, in one transaction, so
// the demo stays quick to load; outcomes and attendance add their part from what this returns.

import type { Db } from '../db/schema.ts'
import type { DirectoryDemo } from '../directory/demo.ts'
import { getServiceRecords } from '../directory/store.ts'
import { insertPeople } from '../people/bulk.ts'
import type { ReferrerKind } from '../programmes/criteria.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import { getProgramme } from '../programmes/store.ts'
import { type BulkReferral, insertReferralHistory } from '../referrals/bulk.ts'
import type { DeclineReason } from '../referrals/lifecycle.ts'
import { seeded } from '../seeded.ts'
import {
  type BulkAppointment,
  type BulkPrescription,
  type BulkSignpost,
  insertAppointments,
  insertCases,
  insertPrescriptions,
  insertSignposts,
} from './bulk.ts'

const GIVEN = [
  'Alex',
  'Sam',
  'Jo',
  'Chris',
  'Pat',
  'Robin',
  'Jamie',
  'Morgan',
  'Casey',
  'Taylor',
  'Jordan',
  'Riley',
]
const FAMILY = ['Example', 'Sample', 'Fictional', 'Madeup', 'Placeholder', 'Specimen', 'Imaginary', 'Pretend']

/** Cases a year for each scheme: Tower Hamlets' borough-wide service is the largest. */
const CASES_A_YEAR: Record<string, number> = { th: 160 }
const DEFAULT_CASES = 60

const DAY = 86_400_000

/** A case of the year, for outcomes to add readings to. */
export interface YearCase {
  caseId: string
  personId: string
  programmeId: string
  linkWorkerUserId: string | null
  openedAt: string
  closedAt: string
}

/** A prescription of the year and the days its person attended, for attendance to record. */
export interface YearPrescription {
  personId: string
  programmeId: string
  serviceId: string
  serviceName: string
  linkWorkerUserId: string | null
  /** London dates of the sessions attended. */
  sessions: string[]
}

export interface CaseworkYear {
  cases: YearCase[]
  prescriptions: YearPrescription[]
  referrals: number
}

/** Why a referral was declined, most common first (repeated to weight them). */
const DECLINE_REASONS: DeclineReason[] = [
  'not-eligible',
  'not-eligible',
  'person-declined',
  'person-declined',
  'unable-to-contact',
  'unable-to-contact',
  'more-suitable-service',
  'no-capacity',
]
const EARLY_REASONS = [
  'The person moved out of the area.',
  'The person’s health got worse and they stopped going.',
  'The activity was not for them; they chose another.',
  'The person started work and could no longer go.',
]
const REFERRER_NAMES: Record<ReferrerKind, string[]> = {
  gp_practice: ['Dr Sam Example', 'Dr Jo Sample', 'Practice nurse Pat Fictional'],
  pcn: ['PCN care coordinator Robin Madeup'],
  social_care: ['Social worker Casey Placeholder', 'Adult social care duty team'],
  council: ['Council wellbeing team'],
  mdt: ['Integrated case management team', 'Neighbourhood multidisciplinary team'],
  other_professional: ['Community mental health nurse Jamie Specimen', 'Health visitor Riley Imaginary'],
  self: [],
}

const londonDay = (at: number) => new Date(at).toISOString().slice(0, 10)

export async function seedCaseworkYear(
  db: Db,
  programmes: ProgrammesDemo,
  directory: DirectoryDemo,
  now: Date = new Date(),
): Promise<CaseworkYear> {
  const random = seeded(20_261_130)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const services = await getServiceRecords(db, Object.values(directory.services))
  const year: CaseworkYear = { cases: [], prescriptions: [], referrals: 0 }
  // A number in every family name, all of one width: no demo person's name is part of another's.
  let numbered = 0
  await db.transaction().execute(async (trx) => {
    for (const [key, programmeId] of Object.entries(programmes.programmes)) {
      const programme = await getProgramme(trx, programmeId)
      if (!programme || programme.practices.length === 0) continue
      const direct = programme.pathway === 'direct_to_service'
      if (!direct && programme.linkWorkers.length === 0) continue
      const n = CASES_A_YEAR[key] ?? DEFAULT_CASES
      const practices = programme.practices
      // The referrals that open no case: declined by the team or automatically, withdrawn, waiting.
      // The listing's: with its earlier referrals, the seed's 94% accepted at first decision.
      const listed = services.some((service) => service.id === directory.services[key])
      const others = listed ? 20 : Math.round(n * 0.25)
      const people = await insertPeople(
        trx,
        Array.from({ length: n + others }, (_, i) => ({
          givenName: pick(GIVEN),
          familyName: `${pick(FAMILY)}${String(++numbered).padStart(4, '0')}`,
          dateOfBirth: `19${40 + Math.floor(random() * 45)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
          registeredPracticeId: (practices[i % practices.length] as (typeof practices)[number])
            .organisationId,
        })),
      )
      const needs = programme.needs.map((need) => need.id)
      const cases = people.slice(0, n).map((personId, i) => {
        const practice = practices[i % practices.length] as (typeof practices)[number]
        const worker = direct
          ? null
          : (practice.namedLinkWorker?.userId ?? pick(programme.linkWorkers).userId)
        // Every case of the year is closed by a week ago, so caseloads and diaries show only the
        // demo's current cases, and the reports the year behind them.
        const opened = now.getTime() - (40 + Math.floor(random() * 325)) * DAY + 10 * 3_600_000
        const closed = Math.min(opened + (30 + Math.floor(random() * 90)) * DAY, now.getTime() - 7 * DAY)
        const chosen =
          needs.length === 0 ? [] : [...new Set([pick(needs), ...(random() < 0.3 ? [pick(needs)] : [])])]
        return {
          personId,
          programmeId,
          practiceId: practice.organisationId,
          organisationId: programme.ownerOrganisationId,
          linkWorkerUserId: worker,
          needs: chosen,
          openedAt: new Date(opened).toISOString(),
          firstContactAt: new Date(opened + 2 * DAY).toISOString(),
          closedAt: new Date(closed).toISOString(),
          referralId: null as string | null,
        }
      })
      // The referrals: one accepted behind each case (the case opened on acceptance), then the rest.
      // A service run for the programme (the marketplace listing) receives its referrals itself.
      // East Riding's GPs refer straight to the services run for it.
      const ownServices = services.filter((service) => service.programmeId === programmeId)
      const listing = services.find((service) => service.id === directory.services[key])
      const targetOf = () => {
        const service = direct ? pick(ownServices) : listing
        return service
          ? {
              serviceId: service.id,
              name: service.name,
              receivingOrganisationId: service.providerOrganisationId,
            }
          : { serviceId: null, name: programme.name, receivingOrganisationId: programme.ownerOrganisationId }
      }
      if (direct && ownServices.length === 0) continue
      const byService = listed
      const sources = programme.referralSources
      // Half from GPs where they refer; the rest from each of the scheme's other referrers in turn.
      const source = (i: number): ReferrerKind =>
        random() < 0.5 && sources.includes('gp_practice')
          ? 'gp_practice'
          : (sources[i % sources.length] as ReferrerKind)
      const referral = (i: number, createdAt: number, rest: Partial<BulkReferral>): BulkReferral => {
        const kind = source(i)
        const practice = practices[i % practices.length] as (typeof practices)[number]
        const target = targetOf()
        return {
          programmeId,
          serviceId: target.serviceId,
          targetName: target.name,
          receivingOrganisationId: target.receivingOrganisationId,
          personId: people[i] as string,
          practiceOdsCode: practice.odsCode,
          referrerKind: kind,
          referrerName: kind === 'self' ? 'Self-referral' : pick(REFERRER_NAMES[kind]),
          referrerContact: `01632 960 ${String(100 + Math.floor(random() * 900))}`,
          reason: 'Referred for support with what matters to them.',
          createdAt: new Date(createdAt).toISOString(),
          firstReply: null,
          status: 'requested',
          deciderName: programme.name,
          ...rest,
        }
      }
      // Replies: the listing's team usually within three days, the others within a week.
      const replyDays = () => (byService ? 2 + Math.floor(random() * 3) : 1 + Math.floor(random() * 7))
      const referrals: BulkReferral[] = cases.map((kase, i) => {
        const opened = Date.parse(kase.openedAt)
        return referral(i, opened - replyDays() * DAY, {
          firstReply: { kind: 'accepted', at: kase.openedAt },
          status: 'completed',
          endedAt: kase.closedAt,
        })
      })
      for (let k = 0; k < others; k++) {
        const i = n + k
        const created = now.getTime() - (10 + Math.floor(random() * 350)) * DAY + 9 * 3_600_000
        const roll = random()
        const declined = byService ? (k - 2) % 5 === 1 : roll < 0.6
        if (k < 2) referrals.push(referral(i, now.getTime() - (1 + k) * DAY - 2 * 3_600_000, {}))
        else if (declined)
          referrals.push(
            referral(i, created, {
              firstReply: {
                kind: 'rejected',
                at: new Date(created + replyDays() * DAY).toISOString(),
                reason: byService ? 'more-suitable-service' : pick(DECLINE_REASONS),
              },
              status: 'rejected',
            }),
          )
        else if (roll < 0.75 && !byService)
          referrals.push(
            referral(i, created, {
              firstReply: { kind: 'no-reply', at: new Date(created + 14 * DAY).toISOString() },
              status: 'rejected',
            }),
          )
        // Accepted, then withdrawn by the referrer before the first appointment.
        else
          referrals.push(
            referral(i, created, {
              firstReply: { kind: 'accepted', at: new Date(created + replyDays() * DAY).toISOString() },
              status: 'cancelled',
              endedAt: new Date(created + (replyDays() + 3) * DAY).toISOString(),
            }),
          )
      }
      const referralIds = await insertReferralHistory(trx, referrals)
      year.referrals += referralIds.length
      if (direct) continue
      cases.forEach((kase, i) => {
        kase.referralId = referralIds[i] as string
      })
      // A withdrawn referral had opened its case on acceptance; the case closed when it was withdrawn.
      await insertCases(
        trx,
        referrals.flatMap((r, i) =>
          i >= n && r.status === 'cancelled' && r.firstReply && r.endedAt
            ? [
                {
                  personId: r.personId,
                  programmeId,
                  practiceId: (practices[i % practices.length] as (typeof practices)[number]).organisationId,
                  organisationId: programme.ownerOrganisationId,
                  linkWorkerUserId: cases[i % n]?.linkWorkerUserId ?? null,
                  needs: [],
                  openedAt: r.firstReply.at,
                  closedAt: r.endedAt,
                  closureReason: 'declined' as const,
                  referralId: referralIds[i] as string,
                },
              ]
            : [],
        ),
      )
      // Prescriptions of a local activity, where the scheme prescribes: a weekly session, most
      // attended; reviewed at the end, or ended early. Only those that ended before the case closed.
      const rule = programme.prescription
      const local = services.filter((service) =>
        Object.entries(directory.services).some(([k, id]) => id === service.id && k.startsWith(`${key}.`)),
      )
      const planned: { index: number; plan: Omit<BulkPrescription, 'caseId'> }[] = []
      cases.forEach((kase, i) => {
        if (!rule || local.length === 0 || random() < 0.3) return
        const opened = Date.parse(kase.openedAt)
        const closed = Date.parse(kase.closedAt)
        const weeks = rule.minWeeks + 2 * Math.floor((random() * (rule.maxWeeks - rule.minWeeks + 2)) / 2)
        const length = Math.min(weeks, rule.maxWeeks)
        const start = opened + (7 + Math.floor(random() * 14)) * DAY
        const lastDay = start + (length * 7 - 1) * DAY
        const early = random() < 0.2
        const stopped = early ? start + (2 + Math.floor(random() * (length - 3))) * 7 * DAY : lastDay
        const reviewedAt = stopped + (1 + Math.floor(random() * 5)) * DAY + 11 * 3_600_000
        // The case stays open until the review; none of the year's runs past a week ago.
        if (reviewedAt > now.getTime() - 8 * DAY) return
        if (reviewedAt > closed) kase.closedAt = new Date(reviewedAt + DAY).toISOString()
        const keen = 0.35 + random() * 0.65
        const sessions: string[] = []
        for (let at = start; at <= stopped; at += 7 * DAY) if (random() < keen) sessions.push(londonDay(at))
        const service = pick(local)
        planned.push({
          index: i,
          plan: {
            personId: kase.personId,
            serviceId: service.id,
            serviceName: service.name,
            need: kase.needs[0] ?? null,
            weeks: length,
            expectedSessions: length,
            startsOn: londonDay(start),
            endsOn: londonDay(lastDay),
            review: {
              at: new Date(reviewedAt).toISOString(),
              userId: kase.linkWorkerUserId,
              earlyReason: early ? pick(EARLY_REASONS) : null,
              sessionsAttended: sessions.length,
              selfCare:
                sessions.length * 2 >= length ? pick(['independent', 'growing'] as const) : 'needs_support',
              nextStep: early ? 'end' : 'exit',
              continued: !early && rule.mayContinueAfter && random() < 0.55,
            },
            createdAt: new Date(start - 2 * DAY).toISOString(),
          },
        })
        year.prescriptions.push({
          personId: kase.personId,
          programmeId,
          serviceId: service.id,
          serviceName: service.name,
          linkWorkerUserId: kase.linkWorkerUserId,
          sessions,
        })
      })
      const caseIds = await insertCases(trx, cases)
      const appointments: BulkAppointment[] = []
      const signposts: BulkSignpost[] = []
      const modes = programme.appointments.modes
      const cap = programme.appointments.furtherAppointmentsCap ?? 4
      cases.forEach((kase, i) => {
        const caseId = caseIds[i] as string
        const opened = Date.parse(kase.openedAt)
        const end = Date.parse(kase.closedAt)
        let at = opened + (3 + Math.floor(random() * 18)) * DAY
        const further = Math.min(cap, 1 + Math.floor(random() * 4))
        for (let k = 0; k <= further && at < end; k++) {
          appointments.push({
            caseId,
            linkWorkerUserId: kase.linkWorkerUserId as string,
            kind: k === 0 ? 'initial' : k === further ? 'exit' : 'follow_up',
            mode: pick(modes),
            startsAt: new Date(at - (at % DAY) + (9 + Math.floor(random() * 7)) * 3_600_000).toISOString(),
            minutes: k === 0 ? 60 : 30,
            status: random() < 0.9 ? 'attended' : 'did_not_attend',
          })
          at += (10 + Math.floor(random() * 14)) * DAY
        }
        const given = Math.floor(random() * random() * 6)
        const last = Math.min(end, now.getTime())
        for (let k = 0; k < given && services.length > 0; k++) {
          const service = pick(services)
          const madeAt = opened + (7 + Math.floor(random() * 40)) * DAY
          if (madeAt > last) break
          signposts.push({
            caseId,
            kind: random() < 0.55 ? 'referral' : 'signpost',
            serviceId: service.id,
            serviceName: service.name,
            createdAt: new Date(madeAt).toISOString(),
            userId: kase.linkWorkerUserId,
          })
        }
      })
      await insertAppointments(trx, appointments)
      await insertSignposts(trx, signposts)
      cases.forEach((kase, i) => {
        year.cases.push({
          caseId: caseIds[i] as string,
          personId: kase.personId,
          programmeId,
          linkWorkerUserId: kase.linkWorkerUserId,
          openedAt: kase.openedAt,
          closedAt: kase.closedAt,
        })
      })

      await insertPrescriptions(
        trx,
        planned.map(({ index, plan }) => ({ ...plan, caseId: caseIds[index] as string })),
      )
    }
  })
  return year
}
