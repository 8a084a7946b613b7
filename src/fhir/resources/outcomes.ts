// QuestionnaireResponse and Observation: each outcome measure reading with its items, and each of
// its scores (SWEMWBS's metric score among them) as an Observation. Readings are read through
// outcomes' audited reader, in the programmes where outcomes' access rule lets the user, found by
// outcomes' query of that rule.

import type { Observation, QuestionnaireResponse } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import { isId } from '../../db/ids.ts'
import { searchReadingsSeenBy } from '../../outcomes/access.ts'
import { type InstrumentOutcomes, readPersonOutcomes } from '../../outcomes/measures.ts'
import { STAGE_NAMES } from '../../outcomes/schedule.ts'
import type { StoredReading } from '../../outcomes/store.ts'
import { type FhirContext, kithSystem, ref, UK_CORE, withMeta } from '../context.ts'
import { memo, patientIdOf, type ResourceHandler } from '../handler.ts'
import { idsNamed, type ParsedSearch, pagingOf } from '../search.ts'

type Reading = InstrumentOutcomes['readings'][number]
interface Measured {
  instrument: InstrumentOutcomes['instrument']
  reading: Reading
}

/**
 * The readings found, in their order, as `readPersonOutcomes` gives them (which audits the read
 * of each person's outcomes in each programme, once a request).
 */
async function measuredOf(ctx: FhirContext, readings: readonly StoredReading[]): Promise<Measured[]> {
  const found: Measured[] = []
  for (const stored of readings) {
    const outcomes = await memo(ctx, `outcomes:${stored.personId}:${stored.programmeId}`, () =>
      readPersonOutcomes(ctx.db, ctx.actor, stored.personId, stored.programmeId),
    )
    for (const { instrument, readings: own } of outcomes.instruments) {
      const reading = own.find((r) => r.id === stored.id)
      if (reading) found.push({ instrument, reading })
    }
  }
  return found
}

/** The readings the user may reach that a search names (outcomes' `searchReadingsSeenBy`). */
function readingQuery(search: ParsedSearch, ids: string[] | undefined) {
  return {
    ...(search.patient !== undefined ? { personId: search.patient } : {}),
    ...(ids ? { ids } : {}),
    updated: search.updated,
  }
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
    const { rows } = isId(id)
      ? await searchReadingsSeenBy(ctx.db, ctx.user, { ids: [id] }, { limit: 1, offset: 0 })
      : { rows: [] }
    const [measured] = await measuredOf(ctx, rows)
    const found = measured && responseOf(ctx, measured)
    if (!found)
      throw refused({
        recordType: 'outcome-reading',
        recordId: id,
        detail: { attempted: 'fhir.QuestionnaireResponse' },
      })
    return found
  },
  async search(ctx, search) {
    const ids = idsNamed(search, kithSystem(ctx, 'outcome-reading'))
    if (search.statuses && !search.statuses.includes('completed')) return { resources: [], total: 0 }
    const { rows, total } = await searchReadingsSeenBy(
      ctx.db,
      ctx.user,
      readingQuery(search, ids),
      pagingOf(search),
    )
    return { resources: (await measuredOf(ctx, rows)).map((measured) => responseOf(ctx, measured)), total }
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
    const readingId = id.split('.')[0] ?? ''
    const { rows } = isId(readingId)
      ? await searchReadingsSeenBy(ctx.db, ctx.user, { ids: [readingId] }, { limit: 1, offset: 0 })
      : { rows: [] }
    const found = (await measuredOf(ctx, rows))
      .flatMap((measured) => observationsOf(ctx, measured))
      .find((observation) => observation.id === id)
    if (!found)
      throw refused({
        recordType: 'outcome-reading',
        recordId: id.split('.')[0] ?? id,
        detail: { attempted: 'fhir.Observation' },
      })
    return found
  },
  async search(ctx, search) {
    if (search.statuses && !search.statuses.includes('final')) return { resources: [], total: 0 }
    const named = search.identifier
    const readingIds = named
      ? idsNamed(search, kithSystem(ctx, 'outcome-score'))?.map((v) => v.split('.')[0] ?? '')
      : undefined
    // Each reading gives one Observation a score: the readings are found in the database, and
    // only those on the page are read in full.
    const { rows } = await searchReadingsSeenBy(ctx.db, ctx.user, readingQuery(search, readingIds))
    const { offset, count } = search
    if (named) {
      const all = (await measuredOf(ctx, rows))
        .flatMap((measured) => observationsOf(ctx, measured))
        .filter((observation) => observation.identifier?.some((i) => i.value === named.value))
      return { resources: all.slice(offset, offset + count), total: all.length }
    }
    const onPage: StoredReading[] = []
    let before = 0
    let total = 0
    for (const reading of rows) {
      const scores = Object.keys(reading.scores).length
      if (total + scores > offset && total < offset + count) {
        if (onPage.length === 0) before = total
        onPage.push(reading)
      }
      total += scores
    }
    const observations = (await measuredOf(ctx, onPage)).flatMap((measured) => observationsOf(ctx, measured))
    return { resources: observations.slice(offset - before, offset - before + count), total }
  },
  personOf: (observation) => patientIdOf(observation.subject),
  statusOf: (observation) => observation.status,
  identifiersOf: (observation) => observation.identifier ?? [],
}
