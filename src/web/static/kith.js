// Enhancements only: every page works without this script.
import { initAll } from 'nhsuk-frontend'

initAll()
