// The portal with htmx (hx-boost on <body>): each step replaces the page's body without a
// full load. What a full load would do for free is done here: the page's language follows
// the response (Content-Language), and focus goes where a reader expects a new page to
// start, the error when there is one, else the page's heading. Without JavaScript none of
// this runs and every link and form works as a plain page load.
document.addEventListener("htmx:afterSettle", function (event) {
  if (!event.detail.boosted) {
    return;
  }
  var language = event.detail.xhr && event.detail.xhr.getResponseHeader("Content-Language");
  if (language) {
    document.documentElement.lang = language;
  }
  var start = document.querySelector("main [role=alert]") || document.querySelector("main h1");
  if (start) {
    if (!start.hasAttribute("tabindex")) {
      start.setAttribute("tabindex", "-1");
    }
    start.focus({ preventScroll: true });
  }
});
