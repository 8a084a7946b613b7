// The directory services a case can prescribe, signpost or refer to: casework reaches the
// directory only through its exported functions, here.

import type { Queryable } from '../db/schema.ts'
import { findServiceByName } from '../directory/index.ts'

export interface ServiceRef {
  id: string
  name: string
}

/** The service with this name (ignoring case), if the directory has one. */
export async function findService(db: Queryable, name: string): Promise<ServiceRef | undefined> {
  const service = await findServiceByName(db, name.trim())
  return service ? { id: service.id, name: service.name } : undefined
}
