// QuestionnaireResponse and Observation: each outcome measure reading with its items, and each of
// its scores (SWEMWBS's metric score among them) as an Observation. Readings are read through
// outcomes' audited reader, in the programmes where outcomes' access rule lets the user.

import type { Observation, QuestionnaireResponse } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import { type InstrumentOutcomes, readPersonOutcomes } from '../../outcomes/measures.ts'
import { STAGE_NAMES } from '../../outcomes/schedule.ts'
import { outcomeProgrammesOf } from '../access.ts'
import { type FhirContext, kithSystem, ref, UK_CORE, withMeta } from '../context.ts'
import { memo, patientIdOf, type ResourceHandler } from '../handler.ts'
import { visiblePeople } from './referrals.ts'

type Reading = InstrumentOutcomes['readings'][number]
interface Measured {
  instrument: InstrumentOutcomes['instrument']
  reading: Reading
}

/** The readings the user may see, through `readPersonOutcomes` (which audits each read). */
function readingsFor(ctx: FhirContext, patient: string | undefined): Promise<Measured[]> {
  return memo(ctx, `readings:${patient ?? '*'}`, async () => {
    const people = patient ? [patient] : await visiblePeople(ctx)
    const found: Measured[] = []
    for (const personId of people)
      for (const programme of await outcomeProgrammesOf(ctx.db, ctx.user, personId)) {
        const outcomes = await readPersonOutcomes(ctx.db, ctx.actor, personId, programme.id)
        for (const { instrument, readings } of outcomes.instruments)
          for (const reading of readings) found.push({ instrument, reading })
      }
    return found
  })
}

function authorOf(reading: Reading) {
  return reading.enteredBy === 'person'
    ? ref('Patient', reading.personId)
    : reading.recordedByUserId
      ? ref('Practitioner', reading.recordedByUserId)
      : undefined
}

function responseOf(ctx: FhirContext, { instrument, reading }: Measured): QuestionnaireResponse {
  const author = authorOf(reading)
  return withMeta<QuestionnaireResponse>(
    {
      resourceType: 'QuestionnaireResponse',
      id: reading.id,
      identifier: { system: kithSystem(ctx, 'outcome-reading'), value: reading.id },
      status: 'completed',
      subject: ref('Patient', reading.personId),
      authored: reading.takenAt,
      ...(author ? { author } : {}),
      item: [
        { linkId: 'instrument', text: `${instrument.name} (${STAGE_NAMES[reading.stage]})` },
        ...instrument.items
          .filter((item) => reading.answers[item.id] !== undefined)
          .map((item) => {
            const value = reading.answers[item.id] as number
            const option = item.options?.find((o) => o.value === value)
            return {
              linkId: item.id,
              text: item.text,
              answer: [
                option
                  ? {
                      valueCoding: {
                        system: kithSystem(ctx, `instrument/${instrument.id}`),
                        code: String(value),
                        display: option.label,
                      },
                    }
                  : { valueInteger: value },
              ],
            }
          }),
      ],
    },
    reading.recordedAt,
    UK_CORE.QuestionnaireResponse,
  )
}

function observationsOf(ctx: FhirContext, { instrument, reading }: Measured): Observation[] {
  return instrument.scores
    .map((definition, index) => ({ definition, index, value: reading.scores[definition.id] }))
    .filter((score): score is typeof score & { value: number } => score.value !== undefined)
    .map(({ definition, index, value }) =>
      withMeta<Observation>(
        {
          resourceType: 'Observation',
          id: `${reading.id}.${index}`,
          identifier: [{ system: kithSystem(ctx, 'outcome-score'), value: `${reading.id}.${definition.id}` }],
          status: 'final',
          category: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' },
              ],
            },
          ],
          code: {
            coding: [
              {
                system: kithSystem(ctx, `instrument/${instrument.id}`),
                code: definition.id,
                display: `${instrument.name}: ${definition.label}`,
              },
            ],
            text: `${instrument.name}: ${definition.label}`,
          },
          subject: ref('Patient', reading.personId),
          effectiveDateTime: reading.takenAt,
          valueQuantity: { value },
          ...(definition.bands?.find((band) => value >= band.min && value <= band.max)
            ? {
                interpretation: [
                  {
                    text:
                      definition.bands.find((band) => value >= band.min && value <= band.max)?.label ?? '',
                  },
                ],
              }
            : {}),
          derivedFrom: [ref('QuestionnaireResponse', reading.id)],
          ...(instrument.copyright ? { note: [{ text: instrument.copyright }] } : {}),
        },
        reading.recordedAt,
        UK_CORE.Observation,
      ),
    )
}

export const questionnaireResponseHandler: ResourceHandler<QuestionnaireResponse> = {
  type: 'QuestionnaireResponse',
  profile: UK_CORE.QuestionnaireResponse,
  searchParams: ['patient', 'status', 'identifier'],
  async read(ctx, id) {
    const found = (await this.search(ctx, {})).find((response) => response.id === id)
    if (!found)
      throw refused({
        recordType: 'outcome-reading',
        recordId: id,
        detail: { attempted: 'fhir.QuestionnaireResponse' },
      })
    return found
  },
  async search(ctx, params) {
    return (await readingsFor(ctx, params.patient)).map((measured) => responseOf(ctx, measured))
  },
  personOf: (response) => patientIdOf(response.subject),
  statusOf: (response) => response.status,
  identifiersOf: (response) => (response.identifier ? [response.identifier] : []),
}

export const observationHandler: ResourceHandler<Observation> = {
  type: 'Observation',
  profile: UK_CORE.Observation,
  searchParams: ['patient', 'status', 'identifier'],
  async read(ctx, id) {
    const found = (await this.search(ctx, {})).find((observation) => observation.id === id)
    if (!found)
      throw refused({
        recordType: 'outcome-reading',
        recordId: id.split('.')[0] ?? id,
        detail: { attempted: 'fhir.Observation' },
      })
    return found
  },
  async search(ctx, params) {
    return (await readingsFor(ctx, params.patient)).flatMap((measured) => observationsOf(ctx, measured))
  },
  personOf: (observation) => patientIdOf(observation.subject),
  statusOf: (observation) => observation.status,
  identifiersOf: (observation) => observation.identifier ?? [],
}
