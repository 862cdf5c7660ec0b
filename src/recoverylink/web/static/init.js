// GOV.UK Frontend's behaviours (the navigation menu on small screens). Every page works without it.
import { initAll } from '/govuk/govuk-frontend.min.js'
initAll()
