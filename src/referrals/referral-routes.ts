// One referral: its page (the receiving team opening a new one is its receipt), changing its
// status, the attendance card the receiving team issues, and the outcome the referrer reads
// once the case or the service has finished.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { refused } from '../access/audit.ts'
import { cardQrSvg, formatCardCode } from '../attendance/cards.ts'
import { issueCard } from '../attendance/store.ts'
import { caseOfReferral, caseSummary, getCaseForUser, gpSummaryText } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import { getProgrammeForReferral } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { conflict, notFound, Problem } from '../web/problem.ts'
import { formQuestions } from './forms.ts'
import {
  allowedChanges,
  changeReferralStatus,
  getReferral,
  partiesOf,
  readReferral,
  resolveTarget,
} from './index.ts'
import { CHOOSABLE_DECLINE_REASONS, DECLINE_REASON_LABELS, isStatus, STATUS_LABELS } from './lifecycle.ts'
import { type Body, present, RECEIVE, REFER, referenceOf } from './route-kit.ts'

export function referralPageRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  const SENT: Record<string, string> = {
    '1': 'The referral has been sent. You will be told here and by email when its status changes.',
    review:
      'The referral has been sent, flagged for review: the rules could not settle eligibility, so the team will check it.',
    again: 'This referral had already been sent: it was not sent twice.',
  }

  async function detailView(request: FastifyRequest, id: string, extra: Record<string, unknown> = {}) {
    if (!isId(id)) throw notFound()
    const user = request.user!
    const { referral, person, parties } = await readReferral(db, request.actor, user, id)
    const changes = await allowedChanges(db, user, referral)
    const target = await resolveTarget(
      db,
      referral.target.serviceId
        ? { serviceId: referral.target.serviceId }
        : { programmeId: referral.target.programmeId! },
    )
    // A service run for a programme: the programme it is part of (decision 0106).
    const programme =
      referral.target.serviceId && referral.target.programmeId
        ? await getProgrammeForReferral(db, referral.target.programmeId)
        : undefined
    // Once accepted, the receiving team's next step is the case it opened, if they may see it.
    const opened =
      parties.includes('receiver') && (referral.status === 'accepted' || referral.status === 'in-progress')
        ? await caseOfReferral(db, referral.id)
        : undefined
    const openedCase = opened ? await getCaseForUser(db, user, opened.case.id) : undefined
    const needLabels = new Map((target?.needs ?? []).map((n) => [n.id, n.label]))
    const questions = target ? formQuestions(target) : []
    const values = (extra.values ?? {}) as Body
    return {
      pageTitle: `Referral ${referenceOf(referral.id)}`,
      referral: present(referral),
      programmeName: programme?.name ?? null,
      caseHref: openedCase ? `/casework/cases/${openedCase.case.id}` : null,
      // The receiving team issues an attendance card for an accepted referral to a programme or
      // to a service run for one (a card belongs to a programme: decision 0600).
      cardHref:
        parties.includes('receiver') &&
        !openedCase &&
        referral.target.programmeId &&
        (referral.status === 'accepted' || referral.status === 'in-progress')
          ? `/referrals/${referral.id}/card`
          : null,
      overseer: parties.includes('overseer') && !parties.includes('receiver'),
      // The receiving team of an accepted referral that opened no case follows it here: straight
      // to a service, or to a listing run for no programme (decision 0106). A link worker's
      // prescription or onward referral is followed on their case as well.
      followedHere:
        parties.includes('receiver') &&
        !opened &&
        !referral.sourceCaseId &&
        (referral.status === 'accepted' || referral.status === 'in-progress'),
      person,
      needs: referral.needs.map((need) => needLabels.get(need) ?? need),
      answers: Object.entries(referral.answers).map(([criterion, answer]) => ({
        question: questions.find((q) => q.id === criterion)?.question ?? criterion,
        answer: answer ? 'Yes' : 'No',
      })),
      history: referral.history.map((event) => ({
        ...event,
        toLabel: STATUS_LABELS[event.to],
      })),
      changes: changes.map((status) => ({
        value: status,
        text: STATUS_LABELS[status],
        checked: values.status === status,
        declines: status === 'rejected',
      })),
      declineReasons: [
        { value: '', text: 'Choose a reason' },
        ...CHOOSABLE_DECLINE_REASONS.map((r) => ({
          value: r,
          text: DECLINE_REASON_LABELS[r],
          selected: values.reason === r,
        })),
      ],
      flash:
        SENT[(request.query as { sent?: string }).sent ?? ''] ??
        ((request.query as { changed?: string }).changed ? 'The referral has been updated.' : extra.flash),
      back: { href: referral.referrer.userId === user.id ? '/referrals' : '/referrals/inbox' },
      ...extra,
    }
  }

  app.get('/referrals/:id', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    // The receiving team opening a new referral is its receipt: the referrer sees "Received".
    const referral = await getReferral(db, id)
    if (referral?.status === 'requested') {
      const parties = await partiesOf(db, request.user!, referral)
      if (parties.includes('receiver')) {
        await changeReferralStatus(
          db,
          request.actor,
          id,
          { to: 'received' },
          { user: request.user! },
          {
            now: context.now(),
          },
        ).catch((error: unknown) => {
          // Someone else moved it on first: the page shows where it is now.
          if (!(error instanceof Problem && error.status === 409)) throw error
        })
      }
    }
    return reply.view('referrals/views/show.njk', await detailView(request, id))
  })

  // An attendance card for an accepted referral: the person shows it at each session, and the
  // provider scans it (/attendance/scan). Only the receiving team issues one.
  app.post('/referrals/:id/card', { config: { access: RECEIVE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { referral, person, parties } = await readReferral(db, request.actor, request.user!, id)
    if (!parties.includes('receiver'))
      throw refused({
        recordType: 'referral',
        recordId: referral.id,
        detail: { attempted: 'attendance-card' },
      })
    const programmeId = referral.target.programmeId
    if (!programmeId || (referral.status !== 'accepted' && referral.status !== 'in-progress'))
      throw conflict(
        'An attendance card is issued once a referral to a programme, or to a service run for one, is accepted.',
      )
    const programme = await getProgrammeForReferral(db, programmeId)
    const issued = await issueCard(db, request.actor, referral.personId, programmeId)
    // The card is drawn once, now: only digests of its token and code are kept.
    reply.header('cache-control', 'no-store')
    return reply.view('attendance/views/card.njk', {
      pageTitle: 'Attendance card',
      back: { href: `/referrals/${referral.id}`, text: 'Back to the referral' },
      firstName: person.givenName,
      programme,
      qr: await cardQrSvg(issued.token, { label: 'QR code of the attendance card' }),
      code: formatCardCode(issued.code),
    })
  })

  // The loop closed: what the referrer reads when the case or the service has finished. A
  // referrer outside the team reads this summary and the status history, nothing else of the case.
  app.get('/referrals/:id/outcome', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { referral, person, parties } = await readReferral(db, request.actor, request.user!, id)
    const found = await caseOfReferral(db, referral.id)
    const team = parties.includes('receiver')
    const given = referral.personAsGiven
    const practice = person.registeredPractice
    const summary =
      found && (found.case.status === 'closed' || team)
        ? await caseSummary(
            db,
            request.actor,
            found.case,
            found.programme,
            context.caseSummarySections,
            team ? 'referral-outcome' : 'referrer',
            team || !given
              ? undefined
              : {
                  nhsNumber: given.nhsNumber,
                  givenName: given.givenName,
                  familyName: given.familyName,
                  dateOfBirth: given.dateOfBirth,
                  postcode: given.postcode,
                  practice: practice ? { name: practice.name, odsCode: null } : null,
                },
          )
        : undefined
    // Straight to a service, with no case: what the receiving team recorded of it since accepting.
    const accepted = referral.history.find((e) => e.to === 'accepted')
    const { serviceId, programmeId } = referral.target
    const followed =
      !found && accepted && serviceId && programmeId
        ? (
            await Promise.all(
              [...context.referralOutcomeSections]
                .sort((a, b) => a.order - b.order)
                .map((section) =>
                  section.load(db, {
                    referralId: referral.id,
                    personId: referral.personId,
                    programmeId,
                    serviceId,
                    since: accepted.at,
                  }),
                ),
            )
          ).filter((section) => section !== undefined)
        : []
    const ending = [...referral.history]
      .reverse()
      .find((e) => e.to === 'completed' || e.to === 'failed' || e.to === 'rejected' || e.to === 'cancelled')
    return reply.view('referrals/views/outcome.njk', {
      pageTitle: `Outcome of referral ${referenceOf(referral.id)}`,
      referral: present(referral),
      person,
      caseOpen: found?.case.status === 'open',
      ending: ending ? { ...ending, toLabel: STATUS_LABELS[ending.to] } : undefined,
      summary,
      followed,
      text: summary ? gpSummaryText(summary) : undefined,
      history: referral.history.map((event) => ({ ...event, toLabel: STATUS_LABELS[event.to] })),
      back: { href: `/referrals/${referral.id}`, text: 'Back to the referral' },
    })
  })

  app.post('/referrals/:id/status', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    const body = (request.body ?? {}) as Body
    const status = typeof body.status === 'string' ? body.status : ''
    if (!isStatus(status)) {
      return reply.status(400).view(
        'referrals/views/show.njk',
        await detailView(request, id, {
          values: body,
          errors: formErrors([{ field: 'status', message: 'Choose what has happened to the referral' }]),
        }),
      )
    }
    try {
      await changeReferralStatus(
        db,
        request.actor,
        id,
        {
          to: status,
          reason: typeof body.reason === 'string' && body.reason ? body.reason : null,
          note: typeof body.note === 'string' ? body.note : null,
        },
        { user: request.user! },
        { now: context.now(), onAccepted: context.referralAccepted },
      )
    } catch (error) {
      if (error instanceof Problem && (error.status === 400 || error.status === 409)) {
        return reply.status(error.status).view(
          'referrals/views/show.njk',
          await detailView(request, id, {
            values: body,
            errors: formErrors(
              error.errors.length > 0
                ? error.errors
                : [{ field: 'status', message: error.detail ?? error.title }],
            ),
          }),
        )
      }
      throw error
    }
    return reply.redirect(`/referrals/${id}?changed=1`, 303)
  })
}
