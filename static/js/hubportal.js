// The portal's only script, loaded with <script type="module"> so it runs once the
// page is parsed and needs no inline script under the Content-Security-Policy.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

// NHS.UK frontend enhances only a body marked as supported. Its own page template
// sets this class with an inline script, which the CSP forbids, so it is set here.
document.body.classList.add("nhsuk-frontend-supported");

// Every component on the page: the header menu, skip link, radios and checkboxes,
// buttons, and the error summary, which takes focus so its errors are read first.
initAll();
