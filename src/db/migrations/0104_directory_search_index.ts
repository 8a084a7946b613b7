import type { Kysely } from 'kysely'
import { tuneServiceTextSearch } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  await tuneServiceTextSearch(db)
}

export async function down(): Promise<void> {}
