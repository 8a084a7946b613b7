// A prescription's page (what was prescribed, attendance so far, its reviews) and its review
// form: attendance from the attendance check-ins, progress on each goal, an assessment of
// progress toward self-care, and the next step. The form opens at the prescription's end;
// earlier, it asks why.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isId } from '../db/ids.ts'
import type { AppContext } from '../web/context.ts'
import { formatDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { type CaseForUser, caseForUser } from './cases.ts'
import { attendanceSoFar, nextStepsFor, recordPrescriptionReview } from './reviews.ts'
import { attempt, type Body, items, needLabel, str, VIEW } from './route-kit.ts'
import {
  GOAL_PROGRESS,
  GOAL_PROGRESS_LABELS,
  latestEnd,
  londonDate,
  NEXT_STEP_LABELS,
  type NextStep,
  reviewIsEarly,
  SELF_CARE,
  SELF_CARE_HINTS,
  SELF_CARE_LABELS,
} from './rules.ts'
import {
  getPrescription,
  goalsOfCase,
  type Prescription,
  type PrescriptionReview,
  reviewsOfCase,
} from './store.ts'

const OUTCOMES: Record<NextStep, string> = {
  continue: 'continuing independently after the end',
  extend: 'extended',
  new_prescription: 'a new prescription next',
  end: 'prescription ended',
  exit: 'closing the case',
}

/** A review as its page and the case page show it. */
export function describeReview(review: PrescriptionReview) {
  return {
    ...review,
    selfCareLabel: SELF_CARE_LABELS[review.selfCare],
    nextStepLabel:
      review.nextStep === 'extend' && review.newEnd
        ? `Extended to ${formatDate(review.newEnd)}`
        : NEXT_STEP_LABELS[review.nextStep],
    /** What came of it, for a line in the case's list of prescriptions. */
    outcome:
      review.nextStep === 'extend' && review.newEnd
        ? `extended to ${formatDate(review.newEnd)}`
        : OUTCOMES[review.nextStep],
    goals: review.goals.map((g) => ({
      ...g,
      fromLabel: GOAL_PROGRESS_LABELS[g.from],
      toLabel: GOAL_PROGRESS_LABELS[g.to],
    })),
  }
}

export async function reviewRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const params = (request: FastifyRequest) => request.params as { id: string; prescriptionId: string }

  /** The case (audited read) and its prescription, or 404. */
  async function prescriptionOf(request: FastifyRequest) {
    const { id, prescriptionId } = params(request)
    const found = await caseForUser(db, request.user!, request.actor, id, { audit: 'case.read' })
    const prescription = isId(prescriptionId) ? await getPrescription(db, prescriptionId) : undefined
    if (!prescription || prescription.caseId !== found.case.id) throw notFound()
    return { found, prescription }
  }

  async function attendanceOf(found: CaseForUser, prescription: Prescription, today: string) {
    const attendance = await attendanceSoFar(db, prescription, found.case, today)
    return {
      ...attendance,
      percent: attendance.share === null ? null : Math.round(attendance.share * 100),
      countedTo: today < prescription.end ? today : prescription.end,
    }
  }

  const described = (found: CaseForUser, prescription: Prescription) => ({
    ...prescription,
    needLabel: needLabel(found.programme, prescription.need),
  })

  // ---- The prescription -----------------------------------------------------------------

  app.get(
    '/casework/cases/:id/prescriptions/:prescriptionId',
    { config: { access: VIEW } },
    async (request, reply) => {
      const { found, prescription } = await prescriptionOf(request)
      const today = londonDate(context.now())
      const reviews = (await reviewsOfCase(db, found.case.id)).filter(
        (r) => r.prescriptionId === prescription.id,
      )
      return reply.view('casework/views/prescription.njk', {
        pageTitle: prescription.serviceName,
        kase: found.case,
        prescription: described(found, prescription),
        attendance: await attendanceOf(found, prescription, today),
        reviews: reviews.map(describeReview).reverse(),
        mayReview: found.case.status === 'open' && !prescription.reviewedAt,
        reviewDue: !prescription.reviewedAt && !reviewIsEarly(prescription.end, today),
        back: { href: `/casework/cases/${found.case.id}#prescriptions`, text: 'Back to the case' },
      })
    },
  )

  // ---- Its review -----------------------------------------------------------------------

  const NEXT_STEP_HINTS = (prescription: Prescription, latest: string): Record<NextStep, string> => ({
    continue: `The person carries on with ${prescription.serviceName} by themselves after the prescription ends`,
    extend: `Give the new end date below, up to ${formatDate(latest)}. The next review is then due at the new end`,
    new_prescription: 'Record this review, then prescribe another activity',
    end: 'No further activity for now; the case stays open',
    exit: 'Record this review, then go on to the exit plan and close the case',
  })

  async function reviewView(
    found: CaseForUser,
    prescription: Prescription,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const today = londonDate(context.now())
    const rule = found.programme.prescription
    const latest = latestEnd(rule, prescription.start)
    const hints = NEXT_STEP_HINTS(prescription, latest)
    const goals = await goalsOfCase(db, found.case.id)
    return {
      pageTitle: 'Review the prescription',
      kase: found.case,
      prescription: described(found, prescription),
      early: reviewIsEarly(prescription.end, today),
      attendance: await attendanceOf(found, prescription, today),
      goals: goals.map((g) => ({
        ...g,
        field: `goal-${g.id}`,
        items: items(GOAL_PROGRESS, GOAL_PROGRESS_LABELS, values[`goal-${g.id}`] ?? g.progress),
      })),
      selfCareItems: SELF_CARE.map((key) => ({
        value: key,
        text: SELF_CARE_LABELS[key],
        hint: { text: SELF_CARE_HINTS[key] },
        checked: values.selfCare === key,
      })),
      nextStepItems: nextStepsFor(rule, prescription, today).map((key) => ({
        value: key,
        text: NEXT_STEP_LABELS[key],
        hint: { text: hints[key] },
        checked: values.nextStep === key,
      })),
      mayExtend: nextStepsFor(rule, prescription, today).includes('extend'),
      values: { expectedSessions: prescription.expectedSessions, ...values },
      back: {
        href: `/casework/cases/${found.case.id}/prescriptions/${prescription.id}`,
        text: 'Back to the prescription',
      },
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  const reviewPath = '/casework/cases/:id/prescriptions/:prescriptionId/review'

  app.get(reviewPath, { config: { access: VIEW } }, async (request, reply) => {
    const { found, prescription } = await prescriptionOf(request)
    // Reviewed already, or the case is closed: the prescription's page says what happened.
    if (prescription.reviewedAt || found.case.status !== 'open')
      return reply.redirect(`/casework/cases/${found.case.id}/prescriptions/${prescription.id}`, 303)
    return reply.view('casework/views/prescription-review.njk', await reviewView(found, prescription, {}))
  })

  app.post(reviewPath, { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const { id, prescriptionId } = params(request)
    const goalProgress = Object.fromEntries(
      Object.entries(body)
        .filter(([key]) => key.startsWith('goal-'))
        .map(([key, value]) => [key.slice('goal-'.length), str(value)]),
    )
    const sessions = str(body.expectedSessions).trim()
    const result = await attempt(() =>
      recordPrescriptionReview(
        db,
        ctx(request),
        id,
        prescriptionId,
        {
          earlyReason: str(body.earlyReason),
          goalProgress,
          selfCare: str(body.selfCare),
          assessment: str(body.assessment),
          nextStep: str(body.nextStep),
          newEnd: str(body.newEnd),
          expectedSessions: sessions === '' ? null : Number(sessions),
        },
        context.now(),
        context.caseMilestone,
      ),
    )
    if (result.ok) {
      const after: Record<NextStep, string> = {
        continue: `/casework/cases/${id}?saved=reviewed#prescriptions`,
        end: `/casework/cases/${id}?saved=reviewed#prescriptions`,
        extend: `/casework/cases/${id}?saved=extended#prescriptions`,
        new_prescription: `/casework/cases/${id}/prescriptions/new?after=review`,
        exit: `/casework/cases/${id}/exit`,
      }
      return reply.redirect(after[result.value.nextStep], 303)
    }
    const { found, prescription } = await prescriptionOf(request)
    return reply
      .status(400)
      .view(
        'casework/views/prescription-review.njk',
        await reviewView(found, prescription, body, result.problems),
      )
  })
}
