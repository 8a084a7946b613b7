// A subject access request: everything Kith holds on one person, gathered from every capability's
// part, with the audit of who read or changed their records, as one document.

import { auditOfRecords } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { personIdentity } from '../people/personal-data.ts'
import type { PersonRecordPart, Section } from './parts.ts'

export interface SubjectAccess {
  generatedAt: string
  person: { id: string; givenName: string; familyName: string; dateOfBirth: string; nhsNumber: string | null }
  parts: { name: string; sections: Section[] }[]
  /** Who read or changed the person's records, and when, oldest first. */
  audit: {
    at: string
    action: string
    recordType: string | null
    recordId: string | null
    actorName: string | null
  }[]
}

export async function subjectAccess(
  db: Queryable,
  parts: readonly PersonRecordPart[],
  personId: string,
  now: Date,
): Promise<SubjectAccess | undefined> {
  const person = await personIdentity(db, personId)
  if (!person) return undefined
  const gathered: SubjectAccess['parts'] = []
  const recordIds = new Set<string>([personId])
  for (const part of parts) {
    const { sections, recordIds: ids } = await part.read(db, personId)
    gathered.push({ name: part.name, sections })
    for (const id of ids) recordIds.add(id)
  }
  return {
    generatedAt: now.toISOString(),
    person,
    parts: gathered,
    audit: await auditOfRecords(db, [...recordIds]),
  }
}

/** A column name as a heading: `given_name` → "Given name". */
export function fieldLabel(column: string): string {
  const words = column.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
