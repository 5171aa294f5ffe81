import{c as L,f as h,g as I,h as S,i as v,k as R}from"./chunks/chunk-MG4OGEQK.js";import{c as E,e as u,g as w,h as b,i as y,l as i}from"./chunks/chunk-WM2E35R4.js";var A=["date","dateTime","gYear","gYearMonth"].map(e=>`xsd:${e}`).join(", ");function F(e){return`${y(["wgs84"])}
SELECT ?place ?lat ?long ?via WHERE {
  {
    BIND (${h(e)} AS ?place)
    ?place wgs84:lat ?lat ; wgs84:long ?long .
  } UNION {
    ${h(e)} ?link ?place .
    FILTER (isIRI(?place))
    ?place wgs84:lat ?lat ; wgs84:long ?long .
    BIND (true AS ?via)
  }
}`}function k(e){let a=h(e);return`${y(["rdfs","time","xsd"])}
SELECT DISTINCT ?item ?property ?date ?plabel WHERE {
  { BIND (${a} AS ?item) }
  UNION { ${a} ?out ?item . FILTER (isIRI(?item)) }
  UNION { ?item ?in ${a} . FILTER (isIRI(?item)) }
  ?item ?property ?date .
  FILTER (datatype(?date) IN (${A}))
  OPTIONAL { ?property rdfs:label ?plabel . FILTER (isLiteral(?plabel)) }
}`}function B(e){return e.split(/[#/]/).pop().replace(/([a-z])([A-Z])/g,"$1 $2").toLowerCase()}function O(e){let a=I()[0]||"en";if(/^\d{4}$/.test(e))return e;if(/^\d{4}-\d{2}$/.test(e))return new Date(`${e}-01T00:00:00Z`).toLocaleDateString(a,{year:"numeric",month:"long",timeZone:"UTC"});let n=new Date(e.length===10?`${e}T00:00:00Z`:e);return Number.isNaN(n.getTime())?e:n.toLocaleDateString(a,{year:"numeric",month:"long",day:"numeric",timeZone:"UTC"})}async function D(e,a,n,l){let m=e.querySelector(a);if(!m)return null;let c=await L(n);return c.length?{box:m,rows:c,info:await v(c.map(o=>o[l].value))}:null}async function U(e,a){let n=await D(e,"#resource-map",F(a),"place");if(!n)return;let{box:l,rows:m,info:c}=n,o=m.map(r=>({lat:Number(r.lat.value),long:Number(r.long.value),label:c.get(r.place.value)?.label||b(r.place.value,{strict:!1})||r.place.value,href:w(r.place.value),kind:r.via?"context":"city"}));l.closest("[hidden]")?.removeAttribute("hidden"),l.hidden=!1,R(l,o,{label:u("map_where",{label:o[0].label}),padding:8}).map.setView([o[0].lat,o[0].long],5),l.dataset.markers=String(o.length)}async function Z(e,a){let n=await D(e,"#resource-timeline",k(a),"item");if(!n)return;let{box:l,rows:m,info:c}=n,o=I(),g=new Map;for(let t of m){let s=`${t.date.value}|${t.property.value}`,p=g.get(s)||{date:t.date.value,property:t.property.value,items:new Set},f=t.plabel?.["xml:lang"]||"";t.plabel&&S(f,p.plang,o)&&(p.plabel=t.plabel.value,p.plang=f),p.items.add(t.item.value),g.set(s,p)}let r=[...g.values()].sort((t,s)=>t.date.localeCompare(s.date)),$=i("ol",{class:"timeline"},r.map(t=>{let s=[...t.items],p=t.plabel||B(t.property),f=t.plabel&&t.plang&&t.plang.split("-")[0]!==E.lang?t.plang:null,x=s.length<=3?s.map((d,C)=>[C?u("list_separator"):"",d===a?i("strong",{},u("this_resource")):i("a",{href:w(d)},c.get(d)?.label||b(d,{strict:!1})||d)]):[u("resources_count",{count:s.length})];return i("li",{class:s.includes(a)?"self":null},i("time",{datetime:t.date},O(t.date)),i("span",{class:"what","data-property":t.property},i("span",{lang:f},p),u("colon")),i("span",{class:"who"},x))}));l.querySelector(".timeline-body")?.replaceChildren($)??l.append($),l.hidden=!1}var N=document.getElementById("resource"),T=N?.dataset.iri;T&&(U(N,T).catch(e=>console.warn("resource map",e)),Z(N,T).catch(e=>console.warn("resource timeline",e)));
//# sourceMappingURL=resource.js.map
