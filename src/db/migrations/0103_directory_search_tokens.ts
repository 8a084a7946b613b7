import type { Kysely } from 'kysely'
import { searchDocument } from '../../directory/search-text.ts'

// Search documents gain tokens for each service's terms and map cells (decision 0100): rebuilt
// here for services written before.

export async function up(db: Kysely<any>): Promise<void> {
  const services = await db.selectFrom('services').select(['id', 'name', 'description']).execute()
  for (const service of services) {
    const terms = await db
      .selectFrom('service_terms')
      .innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'service_terms.term_id')
      .select(['taxonomy_terms.id', 'taxonomy_terms.label'])
      .where('service_terms.service_id', '=', service.id)
      .execute()
    const points = await db
      .selectFrom('service_locations')
      .select(['latitude', 'longitude'])
      .where('service_id', '=', service.id)
      .execute()
    await db
      .updateTable('services')
      .set({
        search_text: searchDocument({
          name: service.name,
          description: service.description,
          termLabels: terms.map((t) => t.label),
          termIds: terms.map((t) => t.id),
          points: points.map((p) => ({
            latitude: p.latitude === null ? null : Number(p.latitude),
            longitude: p.longitude === null ? null : Number(p.longitude),
          })),
        }),
      })
      .where('id', '=', service.id)
      .execute()
  }
}

export async function down(): Promise<void> {}
