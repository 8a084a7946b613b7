// A prescription's review, when it ends (earlier only with a reason): attendance so far from the
// attendance check-ins, progress on each of the case's goals, an assessment of progress toward
// self-care, and the next step: continue independently, extend within the programme's rule, a
// new prescription, end it, or close the case. One transaction with its timeline line and audit
// event; bad input changes nothing.

import { attendanceOfPrescription } from '../attendance/store.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import type { PrescriptionRule } from '../programmes/config.ts'
import { formatDate } from '../web/format.ts'
import { badRequest, conflict, type FieldProblem, notFound } from '../web/problem.ts'
import {
  type CaseMilestoneHandler,
  type Ctx,
  caseForUser,
  caseRef,
  reachMilestone,
  recordCaseChange,
} from './cases.ts'
import {
  extensionProblem,
  GOAL_PROGRESS,
  type GoalProgress,
  latestEnd,
  londonDate,
  NEXT_STEP_LABELS,
  type NextStep,
  reviewIsEarly,
  SELF_CARE,
  SELF_CARE_LABELS,
  weeksBetween,
} from './rules.ts'
import {
  reviewPrescription as completeReview,
  extendPrescription,
  type GoalAtReview,
  getPrescription,
  goalsOfCase,
  insertPrescriptionReview,
  lockCase,
  type Prescription,
  updateGoal,
} from './store.ts'

/** Sessions attended at the prescribed service from its start to its end, or to today if sooner. */
export async function attendanceSoFar(
  db: Queryable,
  prescription: Prescription,
  kase: { personId: string; programmeId: string },
  today: string,
) {
  // Built apart from the call: the attendance capability may also narrow by programme.
  const query = {
    personId: kase.personId,
    programmeId: kase.programmeId,
    serviceId: prescription.serviceId,
    start: prescription.start,
    end: today < prescription.end ? today : prescription.end,
    expectedSessions: prescription.expectedSessions,
  }
  return attendanceOfPrescription(db, query)
}

/** The next steps this programme allows for this prescription, `today`. */
export function nextStepsFor(
  rule: PrescriptionRule | null,
  prescription: { start: string; end: string },
  today: string,
): NextStep[] {
  const latest = latestEnd(rule, prescription.start)
  return [
    ...(rule?.mayContinueAfter ? (['continue'] as const) : []),
    ...(latest > prescription.end && latest > today ? (['extend'] as const) : []),
    'new_prescription',
    'end',
    'exit',
  ]
}

export interface ReviewInput {
  earlyReason: string
  /** Goal id → progress now, as the form sent it; goals not named keep theirs. */
  goalProgress: Record<string, string>
  /** One of SELF_CARE, as the form sent it. */
  selfCare: string
  assessment: string
  /** One of the NEXT_STEPS this prescription allows, as the form sent it. */
  nextStep: string
  /** Extending: the new last day (`YYYY-MM-DD`), and the sessions expected in all (as they were when null). */
  newEnd: string
  expectedSessions: number | null
}

/** Records the review of a prescription on an open case. */
export async function recordPrescriptionReview(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  prescriptionId: string,
  input: ReviewInput,
  now: Date,
  onMilestone: readonly CaseMilestoneHandler[] = [],
): Promise<{ nextStep: NextStep }> {
  return inTransaction(db, async (trx) => {
    const { case: kase, programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    await lockCase(trx, caseId)
    const prescription = isId(prescriptionId) ? await getPrescription(trx, prescriptionId) : undefined
    if (!prescription || prescription.caseId !== caseId) throw notFound()
    if (prescription.reviewedAt) throw conflict('This prescription has already been reviewed.')
    const today = londonDate(now)
    const rule = programme.prescription
    const early = reviewIsEarly(prescription.end, today)
    const problems: FieldProblem[] = []
    const earlyReason = input.earlyReason.trim()
    if (early && !earlyReason)
      problems.push({
        field: 'earlyReason',
        message: `Enter why the review comes before the prescription ends on ${formatDate(prescription.end)}`,
      })
    if (earlyReason.length > 2000)
      problems.push({ field: 'earlyReason', message: 'The reason must be 2,000 characters or fewer' })
    const goals = await goalsOfCase(trx, caseId)
    const progress = new Map<string, GoalProgress>()
    for (const goal of goals) {
      const sent = input.goalProgress[goal.id] ?? goal.progress
      const known = GOAL_PROGRESS.find((p) => p === sent)
      if (known) progress.set(goal.id, known)
      else problems.push({ field: `goal-${goal.id}`, message: `Select the progress on “${goal.text}”` })
    }
    const selfCare = SELF_CARE.find((s) => s === input.selfCare)
    if (!selfCare)
      problems.push({
        field: 'selfCare',
        message: 'Select how the person is getting on toward looking after themselves',
      })
    const assessment = input.assessment.trim()
    if (assessment.length > 5000)
      problems.push({ field: 'assessment', message: 'The assessment must be 5,000 characters or fewer' })
    const allowed = nextStepsFor(rule, prescription, today)
    const nextStep = allowed.find((s) => s === input.nextStep)
    if (!nextStep)
      problems.push({
        field: 'nextStep',
        message:
          input.nextStep === 'continue'
            ? 'This programme does not record people continuing after a prescription ends'
            : input.nextStep === 'extend'
              ? `This prescription cannot be extended: ${programme.name}’s prescriptions from ${formatDate(prescription.start)} run to ${formatDate(latestEnd(rule, prescription.start))} at the latest`
              : 'Select the next step',
      })
    let extension: { end: string; weeks: number; expectedSessions: number } | undefined
    if (nextStep === 'extend') {
      const end = input.newEnd.trim()
      const problem = end
        ? extensionProblem(rule, prescription, end, today)
        : 'Enter the new end date of the prescription'
      if (problem) problems.push({ field: 'newEnd', message: problem })
      const sessions = input.expectedSessions ?? prescription.expectedSessions
      if (!Number.isInteger(sessions) || sessions < 1 || sessions > 500)
        problems.push({
          field: 'expectedSessions',
          message: 'Enter the expected sessions as a whole number from 1 to 500',
        })
      else if (!problem)
        extension = { end, weeks: weeksBetween(prescription.start, end), expectedSessions: sessions }
    }
    if (problems.length > 0 || !selfCare || !nextStep) throw badRequest(problems[0]!.message, problems)

    const changes: GoalAtReview[] = []
    for (const goal of goals) {
      const to = progress.get(goal.id) ?? goal.progress
      changes.push({ goalId: goal.id, text: goal.text, from: goal.progress, to })
      if (to !== goal.progress) await updateGoal(trx, caseId, goal.id, to)
    }
    const attendance = await attendanceSoFar(trx, prescription, kase, today)
    const at = now.toISOString()
    await insertPrescriptionReview(trx, {
      prescriptionId: prescription.id,
      caseId,
      userId: ctx.user.id,
      reviewedAt: at,
      earlyReason: early ? earlyReason : null,
      sessionsAttended: attendance.attended,
      sessionsExpected: prescription.expectedSessions,
      goals: changes,
      selfCare,
      assessment,
      nextStep,
      previousEnd: extension ? prescription.end : null,
      newEnd: extension?.end ?? null,
    })
    if (extension) await extendPrescription(trx, prescription.id, extension)
    else await completeReview(trx, prescription.id, { continued: nextStep === 'continue', at })
    const moved = changes.filter((g) => g.from !== g.to)
    const next = extension
      ? `extended to ${formatDate(extension.end)}`
      : NEXT_STEP_LABELS[nextStep].toLowerCase()
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'prescription',
      summary: [
        `Reviewed ${prescription.serviceName}${early ? ' early' : ''}`,
        `${attendance.attended} of ${prescription.expectedSessions} expected sessions attended`,
        SELF_CARE_LABELS[selfCare].toLowerCase(),
        ...(moved.length
          ? [`progress updated on ${moved.length} ${moved.length === 1 ? 'goal' : 'goals'}`]
          : []),
        `next: ${next}`,
      ].join('; '),
      action: 'case.prescription-review',
      detail: {
        prescriptionId: prescription.id,
        nextStep,
        continued: nextStep === 'continue',
        early,
        goalsUpdated: moved.length,
        ...(extension ? { extendedTo: extension.end } : {}),
      },
    })
    if (!extension)
      await reachMilestone(
        trx,
        ctx,
        {
          point: 'prescription-ended',
          case: caseRef(kase),
          key: prescription.id,
          at,
          prescription: { id: prescription.id, serviceName: prescription.serviceName, endedEarly: early },
        },
        onMilestone,
      )
    return { nextStep }
  })
}
