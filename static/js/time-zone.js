/* Suggest the browser's time zone in an empty time-zone field (IMG Portal, no dependencies).
   A field marked data-suggest-time-zone that is empty gets the IANA name the browser reports
   (Intl.DateTimeFormat().resolvedOptions().timeZone, e.g. "Africa/Cairo"); the member sees it
   and saves it, or changes it. A filled field is never touched. Loaded as a file: the CSP
   allows no inline script. */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  var fields = document.querySelectorAll("input[data-suggest-time-zone]");
  for (var i = 0; i < fields.length; i++) {
    if (!fields[i].value) {
      fields[i].value = zone;
    }
  }
})();
