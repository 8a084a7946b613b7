// The directory's vocabularies: kinds of service, Luton's five areas, the needs the seeds name,
// and the categories of the seed listings. Codes are stable; labels are what people read.

import { needId } from '../programmes/config.ts'

export const SERVICE_KINDS = [
  'activity_group',
  'patient_led_group',
  'volunteering',
  'advice',
  'link_worker',
  'self_care_online',
  'book_on_prescription',
] as const
export type ServiceKind = (typeof SERVICE_KINDS)[number]

export const SERVICE_KIND_LABELS: Record<ServiceKind, string> = {
  activity_group: 'Activity or group',
  patient_led_group: 'Patient-led group',
  volunteering: 'Volunteering opportunity',
  advice: 'Advice service',
  link_worker: 'Link worker service',
  self_care_online: 'Self-care resource online',
  book_on_prescription: 'Book on prescription',
}

export function isServiceKind(value: unknown): value is ServiceKind {
  return typeof value === 'string' && (SERVICE_KINDS as readonly string[]).includes(value)
}

export const SERVICE_STATUSES = ['active', 'inactive', 'temporarily_closed'] as const
export type ServiceStatus = (typeof SERVICE_STATUSES)[number]

export const SERVICE_STATUS_LABELS: Record<ServiceStatus, string> = {
  active: 'Active',
  inactive: 'Inactive',
  temporarily_closed: 'Temporarily closed',
}

export const VOCABULARIES = ['area', 'need', 'category'] as const
export type Vocabulary = (typeof VOCABULARIES)[number]

export const VOCABULARY_LABELS: Record<Vocabulary, string> = {
  area: 'Area of support',
  need: 'Need',
  category: 'Category',
}

export interface TermSeed {
  vocabulary: Vocabulary
  code: string
  label: string
}

const terms = (vocabulary: Vocabulary, labels: string[]): TermSeed[] =>
  labels.map((label) => ({ vocabulary, code: needId(label), label }))

/** The five areas Luton's accredited providers work in. */
export const AREAS = terms('area', [
  'Social activity',
  'Volunteering',
  'Physical activity',
  'Wellbeing and mental health',
  'Information, advice and guidance',
])

/** The needs the seeds name, long-term conditions by name. Codes match programme need ids. */
export const NEEDS = terms('need', [
  'Weight management',
  'Low-level mental health',
  'Social isolation',
  'Housing',
  'Financial',
  'Money and benefits',
  'Forms and benefits',
  'Physical activity',
  'Exercise',
  'Nutrition',
  'Healthy lifestyle',
  'Self-care',
  'Confidence and skills',
  'Routine',
  'Drug and alcohol recovery',
  'Relationships',
  'Home and family stability',
  'Mental health and resilience',
  'Social connectedness',
  'Managing a long-term condition',
  'COPD',
  'Asthma',
  'Diabetes',
  'Heart disease',
  'Epilepsy',
  'Osteoporosis',
  'Fibromyalgia',
  'Depression',
  'Anxiety',
])

/** Listing categories: the seed listing's own and those its sister services use. */
export const CATEGORIES = terms('category', [
  'Social prescribing',
  'Weight management',
  'Walking',
  'Gardening',
  'Arts and crafts',
  'Creative writing',
  'Reading',
  'Exercise',
  'Healthy eating',
  'Volunteering',
  'Benefits and money advice',
  "Men's groups",
  'Peer support',
  'Mental wellbeing',
])

export const ALL_TERMS: TermSeed[] = [...AREAS, ...NEEDS, ...CATEGORIES]

/** A term as the category list reads it. */
interface ListedTerm {
  id: string
  vocabulary: string
  code: string
  label: string
}

/**
 * A choice in the directory's one list of categories: the terms of one label, whatever their
 * vocabulary (Volunteering is an area of support and a category; Exercise a need and a
 * category), shown once. Finding services by it finds those tagged with any of its terms.
 */
export interface CategoryChoice {
  /** What the search form sends: the first term's code (`volunteering`). */
  value: string
  label: string
  termIds: string[]
}

const labelKey = (label: string) =>
  label.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-GB')

/** The directory's category list: areas, needs and categories, one choice a label, by label. */
export function categoryChoices(terms: readonly ListedTerm[]): CategoryChoice[] {
  const byLabel = new Map<string, CategoryChoice>()
  for (const term of terms) {
    if (!(VOCABULARIES as readonly string[]).includes(term.vocabulary)) continue
    const key = labelKey(term.label)
    const choice = byLabel.get(key)
    if (choice) choice.termIds.push(term.id)
    else byLabel.set(key, { value: term.code, label: term.label, termIds: [term.id] })
  }
  return [...byLabel.values()].sort((a, b) => a.label.localeCompare(b.label, 'en-GB'))
}

/** The choice a term belongs to: every term of its label, or only itself outside the list. */
export function choiceOf(term: ListedTerm, terms: readonly ListedTerm[]): CategoryChoice {
  return (
    categoryChoices(terms).find((choice) => choice.termIds.includes(term.id)) ?? {
      value: term.code,
      label: term.label,
      termIds: [term.id],
    }
  )
}
