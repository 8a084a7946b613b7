// How services read on pages: labels, summaries and the listing's sections.

import { ORGANISATION_KIND_LABELS } from '../access/roles.ts'
import { REFERRER_KIND_LABELS } from '../programmes/criteria.ts'
import { formatDate } from '../web/format.ts'
import { describeSchedule } from './schedules.ts'
import { isUnreviewed } from './search.ts'
import type { Accreditation, ServiceRecord } from './store.ts'
import { SERVICE_KIND_LABELS, SERVICE_STATUS_LABELS, VOCABULARY_LABELS, type Vocabulary } from './taxonomy.ts'

export function whoCanRefer(service: { selfReferral: boolean }): string {
  return service.selfReferral ? 'Professional referrals and self-referrals' : 'Professional referrals only'
}

export function formatDistance(km: number | undefined): string | undefined {
  if (km === undefined) return undefined
  const miles = km / 1.609344
  return `${km < 10 ? km.toFixed(1) : Math.round(km)} km (${miles < 10 ? miles.toFixed(1) : Math.round(miles)} miles) away`
}

export function ageRangeText(service: { ageMin: number | null; ageMax: number | null }): string {
  const { ageMin: min, ageMax: max } = service
  if (min !== null && max !== null) return `${min} to ${max}`
  if (min !== null) return `${min} and over`
  if (max !== null) return `${max} and under`
  return 'All ages'
}

/** What kind of organisation runs a service: "Council service", "Voluntary or community organisation". */
export function providerKindLabel(kind: string): string {
  return (ORGANISATION_KIND_LABELS as Record<string, string>)[kind] ?? ''
}

export function summaryOf(service: ServiceRecord, today: string, distanceKm?: number) {
  const firstParagraph = service.description.split(/\n/)[0] ?? ''
  return {
    id: service.id,
    href: `/directory/services/${service.id}`,
    name: service.name,
    providerName: service.providerName,
    providerKindLabel: providerKindLabel(service.providerKind),
    kindLabel: SERVICE_KIND_LABELS[service.kind] ?? service.kind,
    status: service.status,
    statusLabel: SERVICE_STATUS_LABELS[service.status] ?? service.status,
    summary: firstParagraph.length > 240 ? `${firstParagraph.slice(0, 237).trimEnd()}…` : firstParagraph,
    categories: service.terms.filter((t) => t.vocabulary === 'category').map((t) => t.label),
    whoCanRefer: whoCanRefer(service),
    distance: formatDistance(distanceKm),
    town: service.locations[0]?.town ?? '',
    unreviewed: isUnreviewed(service.lastReviewedOn, today),
  }
}

export function listingOf(
  service: ServiceRecord,
  accreditations: Accreditation[],
  programmeNames: Record<string, string>,
  today: string,
) {
  const byRole = (role: string) => service.criteria.filter((c) => c.role === role)
  const rules = byRole('rule').map((c) =>
    c.kind === 'referrer'
      ? `Referrals from: ${c.allowed.map((k) => REFERRER_KIND_LABELS[k]).join(', ')}`
      : c.text,
  )
  const vocabularies: { label: string; terms: string[] }[] = (['category', 'area', 'need'] as Vocabulary[])
    .map((vocabulary) => ({
      label: VOCABULARY_LABELS[vocabulary],
      terms: service.terms.filter((t) => t.vocabulary === vocabulary).map((t) => t.label),
    }))
    .filter((v) => v.terms.length > 0)
  const detailRows: { key: { text: string }; value: { text?: string; html?: string } }[] = [
    {
      key: { text: 'Run by' },
      value: {
        text: [service.providerName, providerKindLabel(service.providerKind)].filter(Boolean).join(': '),
      },
    },
    { key: { text: 'Who can refer' }, value: { text: [whoCanRefer(service), ...rules].join('. ') } },
    { key: { text: 'Ages' }, value: { text: ageRangeText(service) } },
  ]
  const add = (key: string, value: string) => {
    if (value) detailRows.push({ key: { text: key }, value: { text: value } })
  }
  add('Cost', service.cost)
  const sessions = service.schedules.map(describeSchedule).filter(Boolean)
  if (sessions.length === 1) add('Sessions', sessions[0]!)
  if (sessions.length > 1)
    detailRows.push({
      key: { text: 'Sessions' },
      value: {
        html: `<ul class="nhsuk-list">${sessions.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`,
      },
    })
  // The provider's own words, unless they only repeat the sessions.
  if (service.schedule.trim().toLowerCase() !== sessions.join('; ').toLowerCase())
    add('When', service.schedule)
  add('Contact', service.contactName)
  if (service.email) {
    detailRows.push({
      key: { text: 'Email' },
      value: { html: `<a href="mailto:${escapeHtml(service.email)}">${escapeHtml(service.email)}</a>` },
    })
  }
  add('Phone', service.phone)
  if (/^https?:\/\//.test(service.url)) {
    detailRows.push({
      key: { text: 'Website' },
      value: { html: `<a href="${escapeHtml(service.url)}">${escapeHtml(service.url)}</a>` },
    })
  }
  add('Last reviewed', formatDate(service.lastReviewedOn))
  return {
    ...summaryOf(service, today),
    detailRows,
    paragraphs: service.description
      .split(/\n+/)
      .map((p) => p.trim())
      .filter(Boolean),
    categories: service.terms.filter((t) => t.vocabulary === 'category').map((t) => t.label),
    vocabularies,
    inclusion: byRole('inclusion').map((c) => c.text),
    exclusion: byRole('exclusion').map((c) => c.text),
    rules,
    redirects: byRole('redirect').map((c) => c.text),
    criteriaNotes: service.criteriaNotes,
    additionalNeeds: service.additionalNeeds,
    disclaimer: service.disclaimer,
    cost: service.cost,
    schedule: service.schedule,
    ageRange: ageRangeText(service),
    locations: service.locations,
    contactName: service.contactName,
    email: service.email,
    phone: service.phone,
    url: service.url,
    lastReviewedOn: service.lastReviewedOn,
    accreditations: accreditations.map((a) => ({
      programme: programmeNames[a.programmeId] ?? 'A programme',
      from: a.accreditedFrom,
      to: a.accreditedTo,
      current: a.accreditedFrom <= today && (a.accreditedTo === null || a.accreditedTo >= today),
      subject: a.subjectType,
    })),
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
