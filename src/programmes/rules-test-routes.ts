// Testing the rules: a sample person checked against the programme's criteria as they stand,
// with every reason. Nothing is saved and no record is read. A form that posts, so what a
// manager types stays out of addresses and logs.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { listOrganisations } from '../access/store.ts'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import { programmeCriteria } from './config.ts'
import { REFERRER_KIND_LABELS, REFERRER_KINDS } from './criteria.ts'
import { criteriaQuestions } from './eligibility.ts'
import { checked } from './forms.ts'
import { type Body, MANAGE, programmeFor } from './route-kit.ts'
import { parseSample, sampleOutcome } from './rules-test.ts'
import type { Programme } from './store.ts'

export function rulesTestRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  async function renderRulesTest(
    reply: FastifyReply,
    programme: Programme,
    values: Body,
    extra: { problems?: FieldProblem[]; result?: ReturnType<typeof sampleOutcome> } = {},
  ) {
    const criteria = programmeCriteria(programme)
    const chosen = new Set(checked(values.conditions))
    const practices = (await listOrganisations(db)).filter((o) => o.kind === 'practice' && o.odsCode)
    const covered = new Set(programme.practices.map((p) => p.odsCode))
    const practiceItem = (p: { name: string; odsCode: string | null }) => ({
      value: p.odsCode ?? '',
      text: `${p.name} (${p.odsCode})`,
      selected: values.practiceOdsCode === p.odsCode,
    })
    return reply.status(extra.problems ? 400 : 200).view('programmes/views/rules-test.njk', {
      pageTitle: 'Test the rules',
      programme,
      values,
      criteriaCount: criteria.length,
      result: extra.result,
      practices: [
        { value: '', text: 'Not known' },
        ...practices.filter((p) => covered.has(p.odsCode)).map(practiceItem),
        ...practices.filter((p) => !covered.has(p.odsCode)).map(practiceItem),
      ],
      conditions: LONG_TERM_CONDITIONS.map((c) => ({
        value: c.code,
        text: c.display,
        checked: chosen.has(c.code),
      })),
      referrers: [
        { value: '', text: 'Not known', checked: !values.referrerKind },
        ...REFERRER_KINDS.map((k) => ({
          value: k,
          text: REFERRER_KIND_LABELS[k],
          checked: values.referrerKind === k,
        })),
      ],
      questions: criteriaQuestions(criteria).map((q) => ({
        ...q,
        items: [
          { value: 'yes', text: 'Yes', checked: values[`answer-${q.id}`] === 'yes' },
          { value: 'no', text: 'No', checked: values[`answer-${q.id}`] === 'no' },
          {
            value: '',
            text: 'Not answered',
            checked: values[`answer-${q.id}`] !== 'yes' && values[`answer-${q.id}`] !== 'no',
          },
        ],
      })),
      ...(extra.problems ? { errors: formErrors(extra.problems, { conditions: 'conditions' }) } : {}),
      back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
    })
  }

  app.get('/programmes/:id/rules/test', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    return renderRulesTest(reply, programme, {})
  })

  app.post(
    '/programmes/:id/rules/test',
    { config: { access: MANAGE, listFields: ['conditions'] } },
    async (request, reply) => {
      const { programme } = await programmeFor(db, request, 'manage')
      const body = (request.body ?? {}) as Body
      const criteria = programmeCriteria(programme)
      const parsed = parseSample(body, criteriaQuestions(criteria), londonDate(context.now()))
      if (!parsed.ok) return renderRulesTest(reply, programme, body, { problems: parsed.problems })
      return renderRulesTest(reply, programme, body, { result: sampleOutcome(criteria, parsed.value) })
    },
  )
}
