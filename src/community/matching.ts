// Matching a person with volunteering opportunities: a pure score from what they are interested
// in, the skills they want, the days they are free, how far they can travel, what they are
// recovering from and how far along, and their needs, with the reason for each proposal in words.
// Opportunities with no places left, too far away, or for another stage of recovery are not
// proposed at all.

import { distanceKm } from '../directory/index.ts'

export const RECOVERY_KINDS = ['drug-alcohol', 'mental-health', 'none'] as const
export type RecoveryKind = (typeof RECOVERY_KINDS)[number]
export const RECOVERY_LABELS: Record<RecoveryKind, string> = {
  'drug-alcohol': 'In recovery from drugs or alcohol',
  'mental-health': 'In mental health recovery',
  none: 'Not in recovery',
}

export const STAGES = ['early', 'stable', 'sustained'] as const
export type Stage = (typeof STAGES)[number]
export const STAGE_LABELS: Record<Stage, string> = {
  early: 'Early recovery (the first months)',
  stable: 'Stable (settled for some months)',
  sustained: 'Sustained (a year or more)',
}

export const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const
export const DAY_LABELS: Record<string, string> = {
  MO: 'Mondays',
  TU: 'Tuesdays',
  WE: 'Wednesdays',
  TH: 'Thursdays',
  FR: 'Fridays',
  SA: 'Saturdays',
  SU: 'Sundays',
}

export interface Point {
  latitude: number
  longitude: number
}

export interface Seeker {
  interests: readonly string[]
  skills: readonly string[]
  days: readonly string[]
  /** Where they travel from; undefined when not known (distance is then not weighed). */
  from: Point | undefined
  travelKm: number
  recovery: RecoveryKind
  stage: Stage
  needs: readonly string[]
}

export interface Candidate {
  /** The opportunity's service id. */
  id: string
  interests: readonly string[]
  skillsGained: readonly string[]
  days: readonly string[]
  point: Point | null
  suits: readonly string[]
  stages: readonly string[]
  needs: readonly string[]
  placesLeft: number
}

export interface Match {
  candidate: Candidate
  score: number
  /** Kilometres away, or null when either place is not known. */
  distanceKm: number | null
  reason: string
}

/** The box of latitudes and longitudes within `km` of a point: what the store narrows by first. */
export function boxAround(point: Point, km: number) {
  const dLat = km / 111.2
  const dLng = km / (111.32 * Math.max(0.01, Math.cos((point.latitude * Math.PI) / 180)))
  return {
    minLat: point.latitude - dLat,
    maxLat: point.latitude + dLat,
    minLng: point.longitude - dLng,
    maxLng: point.longitude + dLng,
  }
}

const norm = (s: string) => s.trim().toLowerCase()

/** The person's labels, normalised once for every candidate. */
interface Wanted {
  interests: ReadonlySet<string>
  skills: ReadonlySet<string>
  needs: ReadonlySet<string>
}

function wantedOf(seeker: Seeker): Wanted {
  return {
    interests: new Set(seeker.interests.map(norm)),
    skills: new Set(seeker.skills.map(norm)),
    needs: new Set(seeker.needs.map(norm)),
  }
}

/** The candidate's labels the person wants, once each, in the candidate's order. */
function common(offered: readonly string[], wanted: ReadonlySet<string>): string[] {
  const found: string[] = []
  for (const label of offered) {
    const key = norm(label)
    if (wanted.has(key) && !found.includes(key)) found.push(key)
  }
  return found
}

/** `a`, `a and b`, `a, b and c` */
export function naturalList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

/** The score and reason of one opportunity for the person, or undefined when it is not for them. */
export function scoreOne(
  seeker: Seeker,
  candidate: Candidate,
  wanted: Wanted = wantedOf(seeker),
): Match | undefined {
  if (candidate.placesLeft <= 0) return undefined
  if (candidate.stages.length > 0 && !candidate.stages.includes(seeker.stage)) return undefined
  const distance = seeker.from && candidate.point ? distanceKm(seeker.from, candidate.point) : null
  if (distance !== null && distance > seeker.travelKm) return undefined
  const reasons: string[] = []
  let score = 0
  const interests = common(candidate.interests, wanted.interests)
  if (interests.length > 0) {
    score += 3 * interests.length
    reasons.push(`matches their interest in ${naturalList(interests)}`)
  }
  const skills = common(candidate.skillsGained, wanted.skills)
  if (skills.length > 0) {
    score += 2 * skills.length
    reasons.push(`builds the ${naturalList(skills)} skills they want`)
  }
  if (candidate.days.length === 0) {
    score += 1
    reasons.push('its times are flexible')
  } else {
    const days = candidate.days.filter((d) => seeker.days.includes(d))
    if (days.length > 0) {
      score += 2
      reasons.push(`runs on ${naturalList(days.map((d) => DAY_LABELS[d] ?? d))}, when they are free`)
    } else score -= 2
  }
  if (seeker.recovery !== 'none' && candidate.suits.includes(seeker.recovery)) {
    score += 3
    reasons.push(`suits people ${RECOVERY_LABELS[seeker.recovery].replace(/^In /, 'in ')}`)
  }
  const needs = common(candidate.needs, wanted.needs)
  if (needs.length > 0) {
    score += needs.length
    reasons.push(`helps with ${naturalList(needs.map((n) => n.replaceAll('-', ' ')))}`)
  }
  if (distance !== null) {
    score += distance <= seeker.travelKm / 2 ? 2 : 1
    reasons.push(`${distance < 1 ? 'under 1' : Math.round(distance)} km away`)
  }
  const sentence = reasons.length > 0 ? naturalList(reasons) : 'it has places and suits their stage'
  return {
    candidate,
    score,
    distanceKm: distance,
    reason: `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`,
  }
}

/** The best matches, highest score first, then nearest (ties in a stable order). */
export function bestMatches(seeker: Seeker, candidates: readonly Candidate[], limit = 5): Match[] {
  const wanted = wantedOf(seeker)
  const matches: Match[] = []
  for (const candidate of candidates) {
    const match = scoreOne(seeker, candidate, wanted)
    if (match) matches.push(match)
  }
  matches.sort(
    (a, b) =>
      b.score - a.score ||
      (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
      a.candidate.id.localeCompare(b.candidate.id),
  )
  return matches.slice(0, limit)
}
