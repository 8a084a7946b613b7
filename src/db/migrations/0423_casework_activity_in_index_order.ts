import { type Kysely, sql } from 'kysely'

// The Activity report adds up a period's cases and onward referrals and signposts by (link worker,
// practice) (decision 0800). Read in time order, each had to be sorted into those groups, and
// each onward referral or signpost looked up its case; at a country's scale that was most of the
// report's time. Now:
// - each case records how many cases its person has (`person_case_count`, kept in step when a
//   case is opened and when two people's records are merged): a case whose person has no other is
//   that person's alone, so its figures add up without first being gathered by person, and the
//   few cases of people with more than one have an index of their own;
// - each onward referral or signpost carries what the report asks of its case (link worker,
//   practice, organisation, when it opened and closed; kept in step when those change) and where
//   it falls among its case's others (`previous_at`, the time of the one before it, and
//   `second_next_at`, the time of the second after it), so whether it is the first its case was
//   given in a period, and whether the case was given three or more, are read from the row alone;
// - both lie in indexes in (programme, link worker, practice) order, so they are added up in the
//   order they are read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('person_case_count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await sql`update cases set person_case_count = (select count(*) from cases other where other.person_id = cases.person_id)
    where person_id in (select person_id from cases group by person_id having count(*) > 1)`.execute(db)
  await db.schema
    .createIndex('cases_programme_worker_practice')
    .on('cases')
    .columns([
      'programme_id',
      'link_worker_user_id',
      'practice_organisation_id',
      'opened_at',
      'closed_at',
      'organisation_id',
      'person_case_count',
      'needs',
    ])
    .execute()
  // The cases of people with more than one, on their own: few, so the report finds them at once.
  await db.schema
    .createIndex('cases_shared_programme_opened')
    .on('cases')
    .columns(['programme_id', 'opened_at', 'closed_at', 'organisation_id', 'practice_organisation_id'])
    .where(sql.ref('person_case_count'), '>', 1)
    .execute()

  for (const column of [
    'case_link_worker_user_id',
    'case_practice_organisation_id',
    'case_organisation_id',
    'case_opened_at',
    'case_closed_at',
    'previous_at',
    'second_next_at',
  ])
    await db.schema.alterTable('case_signposts').addColumn(column, 'text').execute()
  await sql`update case_signposts set
      case_link_worker_user_id = cases.link_worker_user_id,
      case_practice_organisation_id = cases.practice_organisation_id,
      case_organisation_id = cases.organisation_id,
      case_opened_at = cases.opened_at,
      case_closed_at = cases.closed_at,
      previous_at = chain.previous_at,
      second_next_at = chain.second_next_at
    from cases, (select id, lag(created_at) over w as previous_at, lead(created_at, 2) over w as second_next_at
      from case_signposts window w as (partition by case_id order by created_at, id)) chain
    where cases.id = case_signposts.case_id and chain.id = case_signposts.id`.execute(db)
  await db.schema.dropIndex('case_signposts_programme_created').execute()
  await db.schema
    .createIndex('case_signposts_programme_worker_practice')
    .on('case_signposts')
    .columns([
      'programme_id',
      'case_link_worker_user_id',
      'case_practice_organisation_id',
      'service_id',
      'service_name',
      'kind',
      'created_at',
      'previous_at',
      'second_next_at',
      'case_organisation_id',
      'case_opened_at',
      'case_closed_at',
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_signposts_programme_worker_practice').execute()
  await db.schema
    .createIndex('case_signposts_programme_created')
    .on('case_signposts')
    .columns(['programme_id', 'created_at', 'case_id', 'kind', 'service_id', 'service_name'])
    .execute()
  for (const column of [
    'second_next_at',
    'previous_at',
    'case_closed_at',
    'case_opened_at',
    'case_organisation_id',
    'case_practice_organisation_id',
    'case_link_worker_user_id',
  ])
    await db.schema.alterTable('case_signposts').dropColumn(column).execute()
  await db.schema.dropIndex('cases_shared_programme_opened').execute()
  await db.schema.dropIndex('cases_programme_worker_practice').execute()
  await db.schema.alterTable('cases').dropColumn('person_case_count').execute()
}
