// Follows the page's one "continue" link at once (signing out at the organisation's
// provider). Without JavaScript the link is there to press; a form could not go there,
// as the Content-Security-Policy keeps forms to this site.
(function () {
  "use strict";
  var link = document.querySelector("a[data-auto-continue]");
  if (link && link.href) {
    window.location.assign(link.href);
  }
})();
