"""The interface's words in German, English and Chinese: navigation, headings, buttons and
messages. Templates call ``t("key")``; scripts get the ``SCRIPT_KEYS`` subsets in the page's
language: every page the keys of ``site.js`` in its config (``ui_config()["messages"]``), a page
with a script of its own (query, resource, home) that script's keys in a JSON block beside it
(``_macros.html``, ``page_script``), so one table here holds every text a page shows. Data
(labels, definitions, the memo's text) is never translated here: it comes from the graph in the
languages it has.

A key missing in one language falls back to English; a key missing in English is a bug, and
``tests/test_i18n.py`` checks that every key has all three.
"""

from __future__ import annotations

from markupsafe import Markup

from .language import ui_language

MESSAGES: dict[str, dict[str, str]] = {
    "site_title": {"en": "Alliance knowledge graph", "de": "Wissensgraph der Allianz", "zh": "联盟知识图谱"},
    "skip": {"en": "Skip to content", "de": "Zum Inhalt springen", "zh": "跳到正文"},
    "nav_main": {"en": "Main", "de": "Hauptnavigation", "zh": "主导航"},
    "nav_home": {"en": "Home", "de": "Start", "zh": "首页"},
    "nav_query": {"en": "Query", "de": "Abfrage", "zh": "查询"},
    "nav_ontology": {"en": "Ontology", "de": "Ontologie", "zh": "本体"},
    "nav_shapes": {"en": "Shapes", "de": "Regeln", "zh": "约束"},
    "nav_memo": {"en": "The memo", "de": "Die Vorlage", "zh": "原始文件"},
    "nav_download": {"en": "Download", "de": "Herunterladen", "zh": "下载"},
    "language": {"en": "Language", "de": "Sprache", "zh": "语言"},
    "search_label": {"en": "Find a city, person or event", "de": "Stadt, Person oder Ereignis finden",
                     "zh": "查找城市、人物或事件"},
    "search_placeholder": {"en": "Search: Nürnberg, Cologne, 台州 …", "de": "Suche: Nürnberg, Cologne, 台州 …",
                           "zh": "搜索：Nürnberg、Cologne、台州 …"},
    "search_button": {"en": "Search", "de": "Suchen", "zh": "搜索"},
    "search_title": {"en": "Search results", "de": "Suchergebnisse", "zh": "搜索结果"},
    "no_match": {"en": "Nothing found by that name.", "de": "Unter diesem Namen nichts gefunden.",
                 "zh": "没有找到该名称。"},
    "matched_as": {"en": "found as", "de": "gefunden als", "zh": "匹配名称"},
    "type": {"en": "Type", "de": "Typ", "zh": "类型"},
    "country": {"en": "Country", "de": "Staat", "zh": "国家"},
    "footer_data": {"en": "Data", "de": "Daten", "zh": "数据"},
    "footer_endpoint": {"en": "SPARQL endpoint", "de": "SPARQL-Endpunkt", "zh": "SPARQL 端点"},
    "knowledge_graph": {"en": "knowledge graph", "de": "Wissensgraph", "zh": "知识图谱"},
    "site_description": {"en": "Linked open data about the Chinese-German Industrial Cities Alliance, with a SPARQL 1.1 endpoint.",
                         "de": "Linked Open Data zur Chinesisch-Deutschen Industriestädteallianz, mit SPARQL-1.1-Endpunkt.",
                         "zh": "关于中德工业城市联盟的关联开放数据，提供 SPARQL 1.1 端点。"},
    "footer_sources": {"en": "(coordinates: {geonames}; country outlines: Natural Earth).",
                       "de": "(Koordinaten: {geonames}; Staatsgrenzen: Natural Earth).",
                       "zh": "（坐标：{geonames}；国界：Natural Earth）。"},
    "bundle_build": {"en": "Run {command} (or {make}).", "de": "Bauen mit {command} (oder {make}).",
                     "zh": "请运行 {command}（或 {make}）。"},
    "bundle_missing": {"en": "The workbench's scripts are not built, so editor, maps and result views are missing.",
                       "de": "Die Skripte der Arbeitsoberfläche sind nicht gebaut; Editor, Karten und Ergebnisansichten fehlen.",
                       "zh": "工作台脚本尚未构建，编辑器、地图和结果视图不可用。"},
    # error pages (a browser's; the message itself stays the server's, in English)
    "error_not_found": {"en": "Nothing here", "de": "Hier gibt es nichts", "zh": "此处没有内容"},
    "error_other": {"en": "This request could not be answered", "de": "Diese Anfrage konnte nicht beantwortet werden",
                    "zh": "无法响应此请求"},
    "error_home": {"en": "Back to the home page", "de": "Zurück zur Startseite", "zh": "返回首页"},
    # home
    "home_title": {"en": "Chinese-German Industrial Cities Alliance", "de": "Chinesisch-Deutsche Industriestädteallianz",
                   "zh": "中德工业城市联盟"},
    "home_open_editor": {"en": "Open the query editor", "de": "Abfrage-Editor öffnen", "zh": "打开查询编辑器"},
    "home_alliance": {"en": "The alliance", "de": "Die Allianz", "zh": "联盟"},
    "home_members_query": {"en": "The members as a query", "de": "Die Mitglieder als Abfrage", "zh": "成员查询"},
    "home_lead": {"en": "A linked-data knowledge graph of the alliance of German and Chinese industrial cities founded in 2016 "
                        "at the Hannover Messe: its {members} members, how Cologne joined, who initiated it — every statement "
                        "traceable to the passage of the source it comes from. {triples} statements in {graphs} named graphs.",
                  "de": "Ein Linked-Data-Wissensgraph über die 2016 auf der Hannover Messe gegründete Allianz deutscher und "
                        "chinesischer Industriestädte: ihre {members} Mitglieder, wie Köln beitrat, wer sie angestoßen hat – "
                        "jede Aussage führt zu der Stelle der Quelle zurück, aus der sie stammt. "
                        "{triples} Aussagen in {graphs} benannten Graphen.",
                  "zh": "关于 2016 年在汉诺威工业博览会上成立的中德工业城市联盟的关联数据知识图谱：{members} 个成员、"
                        "科隆如何加入、由谁发起——每条陈述都可追溯到其出处的原文段落。"
                        "共 {triples} 条陈述，分属 {graphs} 个命名图。"},
    "home_members_total": {"en": "{count} members: ", "de": "{count} Mitglieder: ", "zh": "共 {count} 个成员："},
    "home_members_count": {"en": "{count} in {country}", "de": "{count} in {country}", "zh": "{country} {count} 个"},
    "list_separator": {"en": ", ", "de": ", ", "zh": "，"},
    "full_stop": {"en": ".", "de": ".", "zh": "。"},
    # How numbers are written (``number``; the scripts ask Intl.NumberFormat, which agrees).
    "digit_group": {"en": ",", "de": ".", "zh": ","},
    "decimal_mark": {"en": ".", "de": ",", "zh": "."},
    "home_members_in": {"en": "Members in {country}", "de": "Mitglieder in {country}", "zh": "{country}的成员"},
    "country_germany": {"en": "Germany", "de": "Deutschland", "zh": "德国"},
    "country_china": {"en": "China", "de": "China", "zh": "中国"},
    "home_all_graphs": {"en": "all named graphs", "de": "alle benannten Graphen", "zh": "含全部命名图"},
    "home_asserted_only": {"en": "asserted statements only", "de": "nur die erfassten Aussagen, ohne gefolgerte",
                           "zh": "仅含原始陈述，不含推理结果"},
    "home_ontology_void": {"en": "{ontology} and the {void}", "de": "{ontology} und die {void}", "zh": "{ontology}与 {void}"},
    "home_ontology": {"en": "The ontology", "de": "Die Ontologie", "zh": "本体"},
    "home_void": {"en": "VoID description", "de": "VoID-Beschreibung", "zh": "VoID 描述"},
    "home_programs_text": {"en": "SPARQL 1.1 endpoint at {endpoint}; every {iri} IRI dereferences here with content negotiation.",
                           "de": "SPARQL-1.1-Endpunkt unter {endpoint}; jede IRI unter {iri} lässt sich hier auflösen, "
                                 "mit Content-Negotiation.",
                           "zh": "SPARQL 1.1 端点：{endpoint}；每个以 {iri} 开头的 IRI 都可在此解析（支持内容协商）。"},
    "district_title": {"en": "a district (of Shenzhen), not a city", "de": "ein Bezirk (von Shenzhen), keine Stadt",
                       "zh": "（深圳的）一个区，而非城市"},
    "ambiguous_title": {"en": "the source's name fits more than one place; not on the map",
                        "de": "Der Name in der Quelle passt auf mehr als einen Ort; nicht auf der Karte",
                        "zh": "原文中的名称可指多个地点，因此未标在地图上"},
    "identified_title": {"en": "the memo's name fits more than one place; public reports identify which (see its page); "
                                "not on the map",
                         "de": "Der Name in der Vorlage passt auf mehr als einen Ort; öffentliche Berichte bestimmen, "
                               "welcher gemeint ist (siehe seine Seite); nicht auf der Karte",
                         "zh": "原文中的名称可指多个地点；此处依据公开报道确定所指城市（详见其页面），未标在地图上"},
    "no_coordinates_title": {"en": "no verified coordinates", "de": "keine geprüften Koordinaten", "zh": "没有经过核实的坐标"},
    "home_questions": {"en": "Questions to start from", "de": "Fragen zum Einstieg", "zh": "入门问题"},
    "home_data": {"en": "The data", "de": "Die Daten", "zh": "数据"},
    "home_catalog": {"en": "The catalog record (DCAT-AP) for open-data portals",
                     "de": "Der Katalogeintrag (DCAT-AP) für Open-Data-Portale", "zh": "供开放数据门户使用的目录记录（DCAT-AP）"},
    "home_programs": {"en": "For programs", "de": "Für Programme", "zh": "程序接口"},
    "home_cite": {"en": "Cite this dataset", "de": "Diesen Datensatz zitieren", "zh": "引用本数据集"},
    "district": {"en": "district", "de": "Bezirk", "zh": "区"},
    "ambiguous": {"en": "ambiguous", "de": "mehrdeutig", "zh": "有歧义"},
    "identified": {"en": "ambiguous in the memo, identified from reports", "de": "in der Vorlage mehrdeutig, nach Berichten bestimmt",
                   "zh": "原文名称有歧义，据报道确定"},
    "no_coordinates": {"en": "no coordinates", "de": "keine Koordinaten", "zh": "无坐标"},
    # query page
    "query_title": {"en": "Query the knowledge graph", "de": "Den Wissensgraphen abfragen", "zh": "查询知识图谱"},
    "sparql_query": {"en": "SPARQL query", "de": "SPARQL-Abfrage", "zh": "SPARQL 查询"},
    "query_description": {"en": "Ask the Chinese-German Industrial Cities Alliance knowledge graph in SPARQL: "
                                "editor with completion, result table, map and downloads.",
                          "de": "Den Wissensgraphen der Chinesisch-Deutschen Industriestädteallianz mit SPARQL befragen: "
                                "Editor mit Vervollständigung, Ergebnistabelle, Karte und Downloads.",
                          "zh": "用 SPARQL 查询中德工业城市联盟知识图谱：带自动补全的编辑器、结果表格、地图和下载。"},
    "query_lead": {"en": "{triples} statements in {graphs} named graphs; the default graph is their union. "
                         "Results are capped at {rows} rows; a query stops after {timeout} s.",
                   "de": "{triples} Aussagen in {graphs} benannten Graphen; der Standardgraph ist ihre Vereinigung. "
                         "Ergebnisse haben höchstens {rows} Zeilen; eine Abfrage bricht nach {timeout} s ab.",
                   "zh": "{graphs} 个命名图中共有 {triples} 条陈述，默认图是它们的并集。"
                         "结果最多 {rows} 行；查询超过 {timeout} 秒即中止。"},
    # The comments of the query the editor starts with (pages.starter).
    "starter_members": {"en": "The alliance's members (org:memberOf is inferred from each org:Membership).",
                        "de": "Die Mitglieder der Allianz (org:memberOf wird aus jeder org:Membership erschlossen).",
                        "zh": "联盟的成员（org:memberOf 由每个 org:Membership 推理得出）。"},
    "starter_fallback": {"en": "Each member's English name.",
                         "de": "Der deutsche Name jedes Mitglieds, der englische, wo es keinen deutschen hat.",
                         "zh": "每个成员的中文名称；没有中文名称的，用英文名称。"},
    "starter_keys": {"en": "Ctrl+Enter runs the query; Ctrl+Space completes the graph's own terms.",
                     "de": "Strg+Enter führt die Abfrage aus; Strg+Leertaste vervollständigt die eigenen Begriffe des Graphen.",
                     "zh": "Ctrl+Enter 运行查询；Ctrl+Space 补全图谱自身的术语。"},
    "example_start": {"en": "Start from an example query", "de": "Mit einer Beispielabfrage beginnen", "zh": "从示例查询开始"},
    "keys_run": {"en": "runs", "de": "ausführen", "zh": "运行"},
    "keys_complete": {"en": "completes", "de": "vervollständigen", "zh": "补全"},
    "keys_leave": {"en": "leaves the editor", "de": "Editor verlassen", "zh": "离开编辑器"},
    "query_results": {"en": "Query results", "de": "Abfrageergebnisse", "zh": "查询结果"},
    "result_format": {"en": "Result format", "de": "Ergebnisformat", "zh": "结果格式"},
    "run_query": {"en": "Run query", "de": "Abfrage ausführen", "zh": "运行查询"},
    "new_query": {"en": "New query", "de": "Neue Abfrage", "zh": "新查询"},
    "examples": {"en": "Example questions", "de": "Beispielfragen", "zh": "示例问题"},
    "named_graphs": {"en": "Named graphs", "de": "Benannte Graphen", "zh": "命名图"},
    "prefixes": {"en": "Prefixes", "de": "Präfixe", "zh": "前缀"},
    "history": {"en": "Query history (this browser)", "de": "Verlauf (dieser Browser)", "zh": "查询历史（本浏览器）"},
    "saved_queries": {"en": "Saved queries (this browser)", "de": "Gespeicherte Abfragen (dieser Browser)",
                      "zh": "已保存的查询（本浏览器）"},
    "save_query": {"en": "Save this query", "de": "Diese Abfrage speichern", "zh": "保存此查询"},
    "code": {"en": "Code", "de": "Code", "zh": "代码"},
    "code_heading": {"en": "This query as a program", "de": "Diese Abfrage als Programm", "zh": "此查询的程序代码"},
    "clear_history": {"en": "Clear history", "de": "Verlauf löschen", "zh": "清除历史"},
    # the query page's script (static/app/query.js and the lib modules it uses)
    "query_hint": {"en": "Write a query and press Run (or Ctrl+Enter). Pick an example to start from.",
                   "de": "Eine Abfrage schreiben und ausführen (oder Strg+Enter) – oder mit einem Beispiel beginnen.",
                   "zh": "编写查询后点击“运行查询”（或按 Ctrl+Enter），也可以从示例开始。"},
    "examples_choose": {"en": "Examples…", "de": "Beispiele …", "zh": "示例…"},
    "copy": {"en": "Copy", "de": "Kopieren", "zh": "复制"},
    "copied": {"en": "Copied", "de": "Kopiert", "zh": "已复制"},
    "copy_link": {"en": "Copy link", "de": "Link kopieren", "zh": "复制链接"},
    "copy_link_prompt": {"en": "Copy this link:", "de": "Diesen Link kopieren:", "zh": "复制此链接："},
    "permalink": {"en": "Permalink", "de": "Permalink", "zh": "永久链接"},
    "download_label": {"en": "Download:", "de": "Herunterladen:", "zh": "下载："},
    "save_prompt": {"en": "Name for this query:", "de": "Name für diese Abfrage:", "zh": "此查询的名称："},
    "my_query": {"en": "My query", "de": "Meine Abfrage", "zh": "我的查询"},
    "forget_query": {"en": "Forget {name}", "de": "{name} entfernen", "zh": "删除“{name}”"},
    "running": {"en": "Running…", "de": "Läuft …", "zh": "正在运行…"},
    "rows_one": {"en": "{count} row", "de": "{count} Zeile", "zh": "{count} 行"},
    "rows_other": {"en": "{count} rows", "de": "{count} Zeilen", "zh": "{count} 行"},
    "answer_yes": {"en": "answer: yes", "de": "Antwort: ja", "zh": "答案：是"},
    "answer_no": {"en": "answer: no", "de": "Antwort: nein", "zh": "答案：否"},
    "result_is_graph": {"en": "graph", "de": "Graph", "zh": "图"},
    "query_word": {"en": "Query", "de": "Abfrage", "zh": "查询"},
    "status_done": {"en": "{form}: {size} in {seconds} s", "de": "{form}: {size} in {seconds} s",
                    "zh": "{form}：{size}，用时 {seconds} 秒"},
    "status_error": {"en": "Error", "de": "Fehler", "zh": "错误"},
    "status_error_at": {"en": "Error at line {line}, column {column}", "de": "Fehler in Zeile {line}, Spalte {column}",
                        "zh": "第 {line} 行第 {column} 列有错误"},
    "error_syntax": {"en": "The query has an error", "de": "Die Abfrage enthält einen Fehler", "zh": "查询有错误"},
    "error_syntax_at": {"en": "The query has an error at line {line}, column {column}",
                        "de": "Die Abfrage enthält einen Fehler in Zeile {line}, Spalte {column}",
                        "zh": "查询在第 {line} 行第 {column} 列有错误"},
    "error_refused": {"en": "The endpoint refused the query ({status})", "de": "Der Endpunkt hat die Abfrage abgelehnt ({status})",
                      "zh": "端点拒绝了该查询（{status}）"},
    "error_refused_at": {"en": "The endpoint refused the query ({status}) at line {line}, column {column}",
                         "de": "Der Endpunkt hat die Abfrage abgelehnt ({status}): Zeile {line}, Spalte {column}",
                         "zh": "端点拒绝了该查询（{status}）：第 {line} 行第 {column} 列"},
    "error_not_run": {"en": "The query could not be run", "de": "Die Abfrage konnte nicht ausgeführt werden",
                      "zh": "无法运行该查询"},
    "error_go_to": {"en": "Go to the error", "de": "Zum Fehler springen", "zh": "跳到出错处"},
    "error_unreachable": {"en": "The endpoint could not be reached ({message}).",
                          "de": "Der Endpunkt war nicht erreichbar ({message}).", "zh": "无法连接端点（{message}）。"},
    "result_views": {"en": "Result views", "de": "Ergebnisansichten", "zh": "结果视图"},
    "view_table": {"en": "Table", "de": "Tabelle", "zh": "表格"},
    "view_chart": {"en": "Chart", "de": "Diagramm", "zh": "图表"},
    "view_map": {"en": "Map", "de": "Karte", "zh": "地图"},
    "view_map_count": {"en": "Map ({count})", "de": "Karte ({count})", "zh": "地图（{count}）"},
    "view_response": {"en": "Response", "de": "Rohantwort", "zh": "原始响应"},
    "view_answer": {"en": "Answer", "de": "Antwort", "zh": "答案"},
    "ask_yes": {"en": "Yes", "de": "Ja", "zh": "是"},
    "ask_no": {"en": "No", "de": "Nein", "zh": "否"},
    "ask_yes_explain": {"en": "The pattern has at least one match in the graph.",
                        "de": "Das Muster hat mindestens einen Treffer im Graphen.", "zh": "该模式在图中至少有一个匹配。"},
    "ask_no_explain": {"en": "The pattern has no match in the graph.", "de": "Das Muster hat keinen Treffer im Graphen.",
                       "zh": "该模式在图中没有匹配。"},
    "graph_empty": {"en": "The result graph is empty.", "de": "Der Ergebnisgraph ist leer.", "zh": "结果图为空。"},
    "chart_bars": {"en": "Bars", "de": "Balken", "zh": "柱状图"},
    "chart_line": {"en": "Line", "de": "Linie", "zh": "折线图"},
    "chart_bar_label": {"en": "Bar chart of {value} by {label}", "de": "Balkendiagramm: {value} nach {label}",
                        "zh": "按 {label} 显示 {value} 的柱状图"},
    "chart_line_label": {"en": "Line chart of {value} by {label}", "de": "Liniendiagramm: {value} nach {label}",
                         "zh": "按 {label} 显示 {value} 的折线图"},
    "timeline_of": {"en": "Timeline of {date}", "de": "Zeitleiste von {date}", "zh": "{date} 的时间线"},
    "graph_of": {"en": "Graph of {nodes} resources and {edges} links", "de": "Graph aus {nodes} Ressourcen und {edges} Verbindungen",
                 "zh": "包含 {nodes} 个资源和 {edges} 条链接的图"},
    "save_svg": {"en": "Save as SVG", "de": "Als SVG speichern", "zh": "另存为 SVG"},
    "save_png": {"en": "Save as PNG", "de": "Als PNG speichern", "zh": "另存为 PNG"},
    "region_europe": {"en": "Europe", "de": "Europa", "zh": "欧洲"},
    "region_asia": {"en": "Asia", "de": "Asien", "zh": "亚洲"},
    "places_one": {"en": "{name}: {count} place", "de": "{name}: {count} Ort", "zh": "{name}：{count} 个地点"},
    "places_other": {"en": "{name}: {count} places", "de": "{name}: {count} Orte", "zh": "{name}：{count} 个地点"},
    "map_of_places": {"en": "Map of {count} places in the results", "de": "Karte der {count} Orte in den Ergebnissen",
                      "zh": "结果中 {count} 个地点的地图"},
    "map_of_places_in": {"en": "Map of {count} places in the results ({name})",
                         "de": "Karte der {count} Orte in den Ergebnissen ({name})", "zh": "结果中 {count} 个地点的地图（{name}）"},
    "result_turtle": {"en": "Result graph (Turtle)", "de": "Ergebnisgraph (Turtle)", "zh": "结果图（Turtle）"},
    "row_number": {"en": "Row", "de": "Zeile", "zh": "行号"},
    "sort_by": {"en": "Sort by ?{name}", "de": "Nach ?{name} sortieren", "zh": "按 ?{name} 排序"},
    "table_caption": {"en": "Query results: {rows} rows, {columns} columns", "de": "Abfrageergebnisse: {rows} Zeilen, {columns} Spalten",
                      "zh": "查询结果：{rows} 行，{columns} 列"},
    "result_pages": {"en": "Result pages", "de": "Ergebnisseiten", "zh": "结果分页"},
    "first_page": {"en": "First page", "de": "Erste Seite", "zh": "第一页"},
    "previous_page": {"en": "Previous page", "de": "Vorige Seite", "zh": "上一页"},
    "next_page": {"en": "Next page", "de": "Nächste Seite", "zh": "下一页"},
    "last_page": {"en": "Last page", "de": "Letzte Seite", "zh": "最后一页"},
    "rows_range": {"en": "Rows {first}–{last} of {total}", "de": "Zeilen {first}–{last} von {total}",
                   "zh": "第 {first}–{last} 行，共 {total} 行"},
    "no_rows": {"en": "No rows", "de": "Keine Zeilen", "zh": "没有结果"},
    "rows_per_page": {"en": "Rows per page", "de": "Zeilen pro Seite", "zh": "每页行数"},
    "result_table": {"en": "Result table", "de": "Ergebnistabelle", "zh": "结果表格"},
    "language_tag": {"en": "language: {lang}", "de": "Sprache: {lang}", "zh": "语言：{lang}"},
    "unbound": {"en": "unbound", "de": "ungebunden", "zh": "未绑定"},
    # resource pages
    "statements": {"en": "Statements", "de": "Aussagen", "zh": "陈述"},
    "referenced_by": {"en": "Referenced by", "de": "Verwiesen von", "zh": "被引用"},
    "sources": {"en": "Sources", "de": "Quellen", "zh": "来源"},
    "property": {"en": "Property", "de": "Eigenschaft", "zh": "属性"},
    "value": {"en": "Value", "de": "Wert", "zh": "值"},
    "graph": {"en": "Graph", "de": "Graph", "zh": "图"},
    "subject": {"en": "Subject", "de": "Subjekt", "zh": "主语"},
    "query_this": {"en": "Query this resource", "de": "Diese Ressource abfragen", "zh": "查询此资源"},
    "resource_description": {"en": "{label}: what the Chinese-German Industrial Cities Alliance knowledge graph says "
                                   "about it, and where each statement comes from.",
                             "de": "{label}: was der Wissensgraph der Chinesisch-Deutschen Industriestädteallianz darüber "
                                   "sagt und woher jede Aussage stammt.",
                             "zh": "{label}：中德工业城市联盟知识图谱中的相关陈述及每条陈述的出处。"},
    "statements_table": {"en": "Its statements as a table", "de": "Aussagen als Tabelle", "zh": "以表格列出其陈述"},
    "points_to_it": {"en": "What points to it", "de": "Was darauf verweist", "zh": "哪些资源指向它"},
    "passage_link": {"en": "(passage)", "de": "(Textstelle)", "zh": "（原文段落）"},
    "place_and_time": {"en": "Place and time", "de": "Ort und Zeit", "zh": "地点与时间"},
    "where": {"en": "Where", "de": "Ort", "zh": "地点"},
    "timeline": {"en": "Timeline", "de": "Zeitleiste", "zh": "时间线"},
    "cite_in": {"en": "In:", "de": "In:", "zh": "载于:"},
    "cite_version": {"en": "data version", "de": "Datenversion", "zh": "数据版本"},
    "cite_retrieved": {"en": "retrieved", "de": "abgerufen am", "zh": "访问于"},
    "cite_licence": {"en": "Licence", "de": "Lizenz", "zh": "许可协议"},
    "cite_as": {"en": "Cite as", "de": "Zitieren als", "zh": "引用格式"},
    "also_as": {"en": "Also as", "de": "Auch als", "zh": "其他格式"},
    # the maps (static/app/lib/map.js, on the home, query and resource pages)
    "zoom_in": {"en": "Zoom in", "de": "Vergrößern", "zh": "放大"},
    "zoom_out": {"en": "Zoom out", "de": "Verkleinern", "zh": "缩小"},
    "leaflet_title": {"en": "Leaflet, a JavaScript library for maps", "de": "Leaflet, eine JavaScript-Bibliothek für Karten",
                      "zh": "Leaflet，一个用于地图的 JavaScript 库"},
    "map_outlines": {"en": "Outlines: Natural Earth", "de": "Umrisse: Natural Earth", "zh": "轮廓：Natural Earth"},
    # the home page's script (static/app/home.js)
    "home_map_label": {"en": "Map of the alliance's {count} members in {country}",
                       "de": "Karte der {count} Mitglieder der Allianz in {country}", "zh": "联盟在{country}的 {count} 个成员的地图"},
    "member_city": {"en": "City", "de": "Stadt", "zh": "城市"},
    "member_district": {"en": "District (member in its own right)", "de": "Bezirk (eigenständiges Mitglied)",
                        "zh": "区（独立成员）"},
    "members_failed": {"en": "The members could not be loaded: {message}",
                       "de": "Die Mitglieder konnten nicht geladen werden: {message}", "zh": "无法加载成员：{message}"},
    # the resource page's script (static/app/resource.js)
    "this_resource": {"en": "this resource", "de": "diese Ressource", "zh": "此资源"},
    "resources_count": {"en": "{count} resources", "de": "{count} Ressourcen", "zh": "{count} 个资源"},
    "map_where": {"en": "Map: where {label} is", "de": "Karte: wo {label} liegt", "zh": "地图：{label} 的位置"},
    "colon": {"en": ": ", "de": ": ", "zh": "："},
    # A resource page's timeline: a date of what the resource points to, worded as that one's.
    "timeline_founded": {"en": "{name} was founded", "de": "{name} gegründet", "zh": "{name}成立"},
    "timeline_not_own": {"en": "not this resource's date", "de": "kein Datum dieser Ressource",
                         "zh": "并非此资源自身的日期"},
    # ... and a membership that began with the founding of what it is a membership in.
    "timeline_founding_member": {"en": "founding member of {name}", "de": "Gründungsmitglied: {name}",
                                 "zh": "创始成员：{name}"},
    # ontology and shapes
    "ontology_title": {"en": "The alliance ontology", "de": "Die Allianz-Ontologie", "zh": "联盟本体"},
    "classes": {"en": "Classes", "de": "Klassen", "zh": "类"},
    "properties": {"en": "Properties", "de": "Eigenschaften", "zh": "属性"},
    "overview": {"en": "How the classes connect", "de": "Wie die Klassen zusammenhängen", "zh": "类之间的关系"},
    "definition": {"en": "Definition", "de": "Definition", "zh": "定义"},
    "superclasses": {"en": "Super-classes", "de": "Oberklassen", "zh": "父类"},
    "superproperties": {"en": "Super-properties", "de": "Obereigenschaften", "zh": "父属性"},
    "domain": {"en": "Domain", "de": "Definitionsbereich", "zh": "定义域"},
    "range": {"en": "Range", "de": "Wertebereich", "zh": "值域"},
    "why": {"en": "Why", "de": "Warum", "zh": "原因"},
    "constrained_by": {"en": "Shapes that constrain it", "de": "Regeln, die es einschränken", "zh": "约束它的形状"},
    "reused": {"en": "Terms reused from other vocabularies", "de": "Wiederverwendete Begriffe anderer Vokabulare",
               "zh": "复用的外部术语"},
    "module": {"en": "Module", "de": "Modul", "zh": "模块"},
    "shapes_title": {"en": "What a valid record must have", "de": "Was ein gültiger Datensatz haben muss",
                     "zh": "有效记录须满足的条件"},
    "severity": {"en": "Severity", "de": "Schwere", "zh": "级别"},
    "rule": {"en": "Rule", "de": "Regel", "zh": "规则"},
    "applies_to": {"en": "Applies to", "de": "Gilt für", "zh": "适用于"},
    "ontology_description": {"en": "The alliance ontology: every class and property with labels and definitions in German, "
                                   "English and Chinese, the terms it reuses, and the shapes that constrain them.",
                             "de": "Die Allianz-Ontologie: jede Klasse und Eigenschaft mit Bezeichnungen und Definitionen auf "
                                   "Deutsch, Englisch und Chinesisch, die wiederverwendeten Begriffe und die Regeln, die sie "
                                   "einschränken.",
                             "zh": "联盟本体：每个类和属性及其德语、英语和中文的标签与定义、复用的外部术语，以及约束它们的形状。"},
    "label": {"en": "Label", "de": "Bezeichnung", "zh": "标签"},
    "term": {"en": "Term", "de": "Begriff", "zh": "术语"},
    "version": {"en": "version", "de": "Version", "zh": "版本"},
    "licence_link": {"en": "licence", "de": "Lizenz", "zh": "许可协议"},
    "overview_hint": {"en": "Boxes: our classes (blue) and the external classes they build on; dashed arrows: sub-class of; "
                            "labelled arrows: object properties from domain to range.",
                      "de": "Kästen: unsere Klassen (blau) und die externen Klassen, auf denen sie aufbauen; gestrichelte "
                            "Pfeile: Unterklasse von; beschriftete Pfeile: Objekteigenschaften vom Definitionsbereich zum "
                            "Wertebereich.",
                      "zh": "方框：本体自己的类（蓝色）及其所基于的外部类；虚线箭头：子类关系；"
                            "带标签的箭头：从定义域指向值域的对象属性。"},
    "overview_svg_title": {"en": "Classes of the alliance ontology and how they connect",
                           "de": "Die Klassen der Allianz-Ontologie und wie sie zusammenhängen", "zh": "联盟本体的类及其关系"},
    "shapes_description": {"en": "The SHACL shapes the alliance data is validated with, in plain words, with the severity of each rule.",
                           "de": "Die SHACL-Regeln, mit denen die Daten der Allianz geprüft werden, in einfachen Worten und "
                                 "mit der Schwere jeder Regel.",
                           "zh": "以通俗的文字说明联盟数据所依据的 SHACL 约束，以及每条规则的级别。"},
    "shapes_lead": {"en": "Every record is checked against these SHACL shapes before it is served. A {violation} stops the data "
                          "from being published, a {warning} or {info} is reported only.",
                    "de": "Jeder Datensatz wird gegen diese SHACL-Regeln geprüft, bevor er ausgeliefert wird. Ein {violation} "
                          "verhindert, dass die Daten veröffentlicht werden; eine {warning} oder ein {info} wird nur gemeldet.",
                    "zh": "每条记录在对外提供之前都要按这些 SHACL 约束进行检查。{violation}会阻止数据发布，"
                          "{warning}或{info}只会被报告。"},
    "severity_violation": {"en": "Violation", "de": "Verstoß", "zh": "违规"},
    "severity_warning": {"en": "Warning", "de": "Warnung", "zh": "警告"},
    "severity_info": {"en": "Info", "de": "Hinweis", "zh": "提示"},
    # the shapes' rules in words (documentation.py); {placeholders} are prefixed names and values
    "shape_must_have": {"en": "must have {rule}", "de": "muss haben: {rule}", "zh": "要求：{rule}"},
    "shape_node": {"en": "its IRI or node: {values}", "de": "die IRI oder der Knoten selbst: {values}",
                   "zh": "IRI 或节点本身：{values}"},
    "shape_sparql": {"en": "passes a SPARQL check", "de": "besteht eine SPARQL-Prüfung", "zh": "通过一项 SPARQL 检查"},
    "shape_each": {"en": "each {values}", "de": "jeweils {values}", "zh": "每个值{values}"},
    "shape_path_values": {"en": "values on a path", "de": "Werte auf einem Pfad", "zh": "某路径上的值"},
    "shape_path_none": {"en": "no {what}", "de": "kein {what}", "zh": "没有 {what}"},
    "shape_qualified": {"en": "{count} of them {inner}", "de": "davon {count} {inner}", "zh": "其中{count}{inner}"},
    "shape_n_none": {"en": "none", "de": "keiner", "zh": "没有"},
    "shape_n_exactly": {"en": "exactly {n}", "de": "genau {n}", "zh": "恰好 {n} 个"},
    "shape_n_range": {"en": "{low} to {high}", "de": "{low} bis {high}", "zh": "{low} 到 {high} 个"},
    "shape_n_at_least": {"en": "at least {n}", "de": "mindestens {n}", "zh": "至少 {n} 个"},
    "shape_n_at_most": {"en": "at most {n}", "de": "höchstens {n}", "zh": "至多 {n} 个"},
    "shape_datatype": {"en": "of type {datatype}", "de": "vom Datentyp {datatype}", "zh": "数据类型为 {datatype}"},
    "shape_class": {"en": "a {cls}", "de": "vom Typ {cls}", "zh": "类型为 {cls}"},
    "shape_iri": {"en": "an IRI", "de": "eine IRI", "zh": "为 IRI"},
    "shape_literal": {"en": "a literal", "de": "ein Literal", "zh": "为字面量"},
    "shape_blank_node": {"en": "a blank node", "de": "ein leerer Knoten", "zh": "为空白节点"},
    "shape_pattern": {"en": "matching {pattern}", "de": "passend zu {pattern}", "zh": "匹配 {pattern}"},
    "shape_language": {"en": "in language {languages}", "de": "in der Sprache {languages}", "zh": "语言为 {languages}"},
    "shape_or": {"en": " or ", "de": " oder ", "zh": " 或 "},
    "clause_separator": {"en": "; ", "de": "; ", "zh": "；"},
    "shape_min_value": {"en": "at least {value}", "de": "mindestens {value}", "zh": "不小于 {value}"},
    "shape_max_value": {"en": "at most {value}", "de": "höchstens {value}", "zh": "不大于 {value}"},
    "shape_has_value": {"en": "the value {value}", "de": "der Wert {value}", "zh": "值为 {value}"},
    "shape_equals": {"en": "the same as its {path}", "de": "dieselben Werte wie sein {path}", "zh": "与其 {path} 相同"},
    "shape_unique_lang": {"en": "one per language", "de": "einer je Sprache", "zh": "每种语言一个"},
    "shape_either": {"en": "either {alternatives}", "de": "entweder {alternatives}", "zh": "以下之一：{alternatives}"},
    "shape_exactly_one_of": {"en": "exactly one of {alternatives}", "de": "genau eines von: {alternatives}",
                             "zh": "恰好满足其中之一：{alternatives}"},
    "shape_not": {"en": "not {shape}", "de": "nicht {shape}", "zh": "不满足“{shape}”"},
    "shape_target_class": {"en": "every {cls}", "de": "jede Instanz von {cls}", "zh": "每个 {cls}"},
    "shape_target_subjects": {"en": "everything that has a {path}", "de": "alles, was ein {path} hat",
                              "zh": "所有具有 {path} 的资源"},
    "shape_target_objects": {"en": "every value of a {path}", "de": "jeder Wert eines {path}", "zh": "{path} 的每个值"},
    "shape_target_node": {"en": "the node {node}", "de": "der Knoten {node}", "zh": "节点 {node}"},
    "shape_no_target": {"en": "only where another shape refers to it", "de": "nur, wo eine andere Regel darauf verweist",
                        "zh": "仅在其他约束引用它时适用"},
    # memo
    "memo_title": {"en": "The memo, paragraph by paragraph", "de": "Die Vorlage, Absatz für Absatz", "zh": "原始文件（逐段）"},
    "memo_derived": {"en": "Statements derived from this passage", "de": "Aus diesem Absatz abgeleitete Aussagen",
                     "zh": "由本段得出的陈述"},
    "memo_corrections": {"en": "OCR corrections", "de": "OCR-Korrekturen", "zh": "OCR 更正"},
    "memo_title_corrections": {"en": "OCR corrections (title):", "de": "OCR-Korrekturen (Titel):", "zh": "OCR 更正（标题）："},
    "as_printed": {"en": "as printed (OCR)", "de": "wie gedruckt (OCR)", "zh": "原文（OCR）"},
    "as_corrected": {"en": "as corrected", "de": "korrigiert", "zh": "更正后"},
}

#: The keys each script needs, by its entry point (``static/app/<entry>.js``): ``site`` for what
#: every page runs (and the modules every page loads), the others for their page alone.
#: ``tests/test_i18n.py`` checks that a script asks for no key its page is not given.
SCRIPT_KEYS: dict[str, tuple[str, ...]] = {
    "site": ("no_match", "matched_as", "run_query", "language_tag", "unbound", "error_unreachable", "zoom_in", "zoom_out",
             "leaflet_title", "map_outlines"),
    "query": (
        "query_hint", "examples_choose", "copy", "copied", "copy_link", "copy_link_prompt", "permalink",
        "download_label", "save_prompt", "my_query", "forget_query", "running", "rows_one", "rows_other",
        "answer_yes", "answer_no", "result_is_graph", "query_word", "status_done", "status_error",
        "status_error_at", "error_syntax", "error_syntax_at", "error_refused", "error_refused_at", "error_not_run",
        "error_go_to", "result_views", "view_table", "view_chart", "timeline", "view_map",
        "view_map_count", "view_response", "view_answer", "graph", "ask_yes", "ask_no", "ask_yes_explain",
        "ask_no_explain", "graph_empty", "chart_bars", "chart_line", "chart_bar_label", "chart_line_label",
        "timeline_of", "graph_of", "save_svg", "save_png", "region_europe", "region_asia", "places_one",
        "places_other", "map_of_places", "map_of_places_in", "sparql_query", "result_turtle", "row_number",
        "sort_by", "table_caption", "result_pages", "first_page", "previous_page", "next_page", "last_page",
        "rows_range", "no_rows", "rows_per_page", "result_table",
    ),
    "resource": ("this_resource", "resources_count", "map_where", "list_separator", "colon", "timeline_founded",
                 "timeline_not_own", "timeline_founding_member"),
    "home": ("country_germany", "country_china", "members_failed", "home_members_total", "home_members_count",
             "list_separator", "full_stop", "home_map_label", "member_city", "member_district", "district",
             "district_title", "ambiguous", "ambiguous_title", "no_coordinates", "no_coordinates_title"),
}


def t(key: str, lang: str | None = None) -> str:
    """The interface text ``key`` in ``lang`` (default: the reader's), English if missing there."""
    texts = MESSAGES[key]
    return texts.get(lang or ui_language()) or texts["en"]


def number(value: float, lang: str | None = None) -> str:
    """``value`` as ``lang`` (default: the reader's) writes numbers, the way the scripts'
    Intl.NumberFormat does: digits grouped in threes, at most three decimals, none when whole
    ("10,000" and "30" in English, "10.000" and "2,5" in German)."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text.translate({ord(","): t("digit_group", lang), ord("."): t("decimal_mark", lang)})


def tf(key: str, **values: object) -> Markup:
    """The interface text ``key`` with its ``{placeholders}`` filled: the text is escaped, and so
    is each value unless it is markup already (a link or ``<code>`` a template built); numbers
    (counts, seconds) are written as the reader's language writes them (``number``)."""
    shown = {name: number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
             for name, value in values.items()}
    return Markup.escape(t(key)).format(**shown)


def script_messages(entry: str = "site") -> dict[str, str]:
    """The texts the script ``entry`` shows, in the page's language ({} for a script with none)."""
    return {key: t(key) for key in SCRIPT_KEYS.get(entry, ())}
