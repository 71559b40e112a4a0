/**
 * The one small script of the pages, served from `/assets/` (never inline: the Content-Security-Policy forbids
 * inline scripts). The pages work without it; it adds two things:
 * - copy buttons: `<button class="copy" data-copy="TEXT" hidden>` are shown, and copy TEXT to the clipboard;
 * - the report page waiting for mail (`<main data-wait-for="LOCALPART" data-count="N">`): polls
 *   `/api/v1/tests/{localPart}` every two seconds and reloads the page when the number of messages changes (the
 *   page also carries a meta refresh inside `<noscript>` for browsers without JavaScript). When the API answers
 *   with an error while no message has arrived yet, it reloads the page every five seconds instead.
 */
export const PAGE_SCRIPT = `(function(){
'use strict';
function copied(button,ok){
  var before=button.getAttribute('data-label')||button.textContent;
  button.setAttribute('data-label',before);
  button.textContent=ok?'Copied':'Press Ctrl+C';
  var status=document.getElementById('copy-status');
  if(status)status.textContent=ok?'Copied to the clipboard.':'Could not copy: select the text and copy it.';
  setTimeout(function(){button.textContent=before;},2000);
}
function fallbackCopy(text){
  var area=document.createElement('textarea');
  area.value=text;area.setAttribute('readonly','');area.className='offscreen';
  document.body.appendChild(area);area.select();
  var ok=false;try{ok=document.execCommand('copy');}catch(e){ok=false;}
  document.body.removeChild(area);return ok;
}
var buttons=document.querySelectorAll('button.copy[data-copy]');
for(var i=0;i<buttons.length;i++){
  var button=buttons[i];
  button.hidden=false;
  button.addEventListener('click',function(event){
    var b=event.currentTarget;var text=b.getAttribute('data-copy')||'';
    if(navigator.clipboard&&window.isSecureContext){
      navigator.clipboard.writeText(text).then(function(){copied(b,true);},function(){copied(b,fallbackCopy(text));});
    }else{copied(b,fallbackCopy(text));}
  });
}
var main=document.querySelector('main[data-wait-for]');
if(main){
  var lp=main.getAttribute('data-wait-for');var count=Number(main.getAttribute('data-count')||'0');
  var status=document.getElementById('wait-status');
  var tries=0;
  var poll=function(){
    tries++;
    fetch('/api/v1/tests/'+encodeURIComponent(lp),{headers:{accept:'application/json'},cache:'no-store'})
      .then(function(r){
        if(!r.ok){
          // The API is not reachable from here (switched off or behind a token): while waiting, reload the
          // page itself, as without JavaScript.
          if(count===0)setTimeout(function(){location.reload();},5000);
          return;
        }
        return r.json().then(function(body){
          if(body&&Array.isArray(body.messages)&&body.messages.length!==count){location.reload();return;}
          if(status&&tries===1)status.textContent='Checking every two seconds.';
          if(tries<1800)setTimeout(poll,2000);
        });
      })
      .catch(function(){if(tries<1800)setTimeout(poll,5000);});
  };
  setTimeout(poll,2000);
}
})();
`;
