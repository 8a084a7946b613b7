import type { Kysely } from 'kysely'
import { ALL_TERMS } from '../../directory/taxonomy.ts'
import { newId } from '../ids.ts'

export async function up(db: Kysely<any>): Promise<void> {
  for (const term of ALL_TERMS) {
    await db
      .insertInto('taxonomy_terms')
      .values({
        id: newId(),
        vocabulary: term.vocabulary,
        code: term.code,
        label: term.label,
        description: '',
      })
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('taxonomy_terms').execute()
}
