"""The APEC CTWG work plan for 2020 as data (source: shared/seeds/ctwg-2020-work-plan.txt).

Every value here is from the source unless it is listed in an event's
`assumptions`, which organisers see on their dashboard until they confirm it.
"""

from __future__ import annotations

from datetime import date

TZ = "Asia/Kuala_Lumpur"

MANDATE_2018 = "2018 APEC Ministerial Chair's Statement, Port Moresby, PNG"

WORK_PLAN = {
    "group_name": "APEC Counter-Terrorism Working Group",
    "group_abbr": "CTWG",
    "year": 2020,
    "title": "APEC Counter-Terrorism Working Group Work Plan for 2020",
    "introduction": (
        "The APEC Counter-Terrorism Working Group (CTWG) 2020 Work Plan has been developed in "
        "the context of the CTWG 2018 – 2022 Strategic Plan. The Strategic Plan responds to "
        "APEC Leaders' guidance, direction, and intent on the importance of countering "
        "terrorism in the APEC region. All proposals for activities under this Work Plan "
        "should be developed with reference to the objectives and to at least one of the "
        "Focus Areas set out in the Strategic Plan.\n\n"
        "In the absence of 2019 APEC Ministerial Chair's Statement, the CTWG will base its "
        "work in 2020 on the 2018 APEC Ministerial Chair's Statement, adopted in Port Moresby, "
        "Papua New Guinea."
    ),
    "mandate_statement": (
        "We welcome the updated APEC Consolidated Counter-Terrorism and Secure Trade Strategy "
        "for 2018 – 2022, and commit to continue implementing the Strategy by taking collective "
        "and individual actions to promote the security and resilience of regional supply "
        "chains, travel, finance, and critical infrastructure, as well as soft targets from "
        "terrorism to achieve secure growth."
    ),
    "mandate_source": "2018 APEC Ministerial Chair's Statement, Port Moresby, Papua New Guinea",
    "host_theme": "Optimising Human Potential towards a Future of Shared Prosperity",
    "host_priorities": [
        "Improving the narrative of trade and investment",
        "Inclusive economic participation through the digital economy and technology",
        "Driving innovative sustainability",
    ],
}

FOCUS_AREAS = {
    1: (
        "Continue to implement, review and assess the APEC Consolidated Counter-Terrorism and "
        "Secure Trade Strategy as recognized in successive Leaders' Declarations, Ministerial "
        "Joint Statements, and Ministers Responsible for Trade Statements."
    ),
    2: (
        "Increase cooperation with other APEC sub-fora on cross-cutting, counter-terrorism "
        "related issues."
    ),
    3: (
        "Increase cooperation among APEC member economies to understand and take appropriate "
        "actions to address: (i) the impact of evolving terrorist threats including by ISIL, "
        "Al-Qaida and other terrorist groups, as well as foreign terrorist fighters; and (ii) "
        "the impact of radicalization to violence and violent extremism as and when conducive "
        "to terrorism on their economies, including increasing risk to soft targets, in order "
        "to promote the security and resilience of businesses and communities."
    ),
    7: (
        "Improve member economy capacity to ensure the resilience, and security against "
        "misuse, attack, and disruption, of critical infrastructure, which supports and "
        "enables activity across the APEC region."
    ),
    8: (
        "Strengthen counter-terrorism related cooperation with the private sector and with "
        "relevant regional and multilateral organizations."
    ),
}

DELIVERABLES = [
    {
        "number": "1.1",
        "title": "Hold the 15th Counter Terrorism Working Group Meeting in Putrajaya, Malaysia, "
        "on 10-11 February 2020",
        "summary": (
            "The first meeting of the CTWG in 2020 is expected to: (i) chart the activities for "
            "2020; (ii) discuss the implementation of the Counter-Terrorism and Secure Trade "
            "Strategy across Member Economies as a result of CTWG capacity building projects; "
            "(iii) discuss and share information on new terrorist challenges in the APEC Region, "
            "including the evolving terrorist threat related to ISIL and its affiliates, "
            "cross-border travel of foreign terrorist fighters and growing risk of terrorist "
            "financing."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "Human Security",
        "collaborators": "UNOCT, UNODC",
        "event": "ctwg-15",
    },
    {
        "number": "1.2",
        "title": "Hold the 16th Counter Terrorism Working Group Meeting in Pulau Pinang, "
        "Malaysia, in August 2020",
        "summary": (
            "The second meeting of the CTWG in 2020 is expected to: (i) review and discuss CTWG "
            "activities in 2020 for the CTWG Report to the APEC Steering Committee on Economic "
            "and Technical Cooperation; (ii) discuss CTWG Projects and their outcomes; (iii) "
            "discuss the implementation of the Counter-Terrorism and Secure Trade Strategy across "
            "Member Economies as a result of CTWG capacity building projects."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "Human Security",
        "collaborators": "",
        "event": "ctwg-16",
    },
    {
        "number": "1.3",
        "title": "Review and update the APEC Counter-Terrorism and Secure Trade Strategy that "
        "was endorsed by Ministers in 2011 and welcomed by Leaders in 2012",
        "summary": (
            "The current document endorsed by Ministers in 2011 is an umbrella document for APEC "
            "work to address counter-terrorism and secure trade. The work is dispersed across a "
            "number of APEC sub-fora, which include, but are not limited to, the Counter-Terrorism "
            "Working Group (CTWG), the Transportation Working Group (TPTWG), the Subcommittee on "
            "Customs Procedures (SCCP), the Business Mobility Group (BMG), and the "
            "Telecommunications and Information Working Group (TEL). At the 14th CTWG Meeting "
            "held in August 2019, economies agreed to work inter-sessionally to review the "
            "changes proposed by the Chair and update the Strategy. The current version of the "
            "Strategy was endorsed by member economies on 21 September 2019. Even though the "
            "document has been endorsed, it was agreed for CTWG to continue to review and adjust "
            "it to reflect the new trends and emerging issues in the area of counter-terrorism "
            "and secure trade."
        ),
        "mandate": "2011 APEC Ministers' Statement adopted in Honolulu, Hawaii",
        "ecotech_priority": "Human Security",
        "collaborators": "TPT, SCCP, BMG, Tel WG, EPWG, TWG, PPWE",
        "event": None,
    },
    {
        "number": "1.4",
        "title": "Encourage APEC economies to commence preparations for updating their Counter "
        "Terrorism Action Plans (CTAPs); mid-term updates of CTAPs are due in 2020",
        "summary": (
            "In 2007, the Counter-Terrorism Task Force (since 2013 upgraded to Counter-Terrorism "
            "Working Group) tasked the APEC Secretariat to summarize the main counter terrorism "
            "capacity building needs expressed by economies in their individual Counter-Terrorism "
            "Action Plans (CTAPs). The CTF agreed that the consolidated document would be "
            "submitted for annual consideration and that the information in the report could be "
            "used by economies to assist in identifying suitable projects at the beginning of "
            "each APEC year. Starting in 2014, CTWG decided to submit the CTAP biannually. The "
            "summary report template has been adjusted to reflect better the results in terms of "
            "capacity gaps and opportunities. Requirement for CTAP updates is listed under "
            "Objective 2 KPIs, where CTAPs need to be reviewed by mid-term (end of 2020) and "
            "updated at end of term (2022)."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "Human Security",
        "collaborators": "",
        "event": None,
    },
    {
        "number": "1.5",
        "title": "Report to the APEC Steering Committee on Economic and Technical Cooperation "
        "on the work of the CTWG in 2020",
        "summary": (
            "This annual report of CTWG to SCE lays out information on activities and "
            "deliverables of the Group throughout 2020."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "",
        "collaborators": "",
        "event": None,
    },
    {
        "number": "1.6",
        "title": "Hold the 11th Secure Trade in APEC Region Conference (STAR Conference XI)",
        "summary": (
            "The 11th Secure Trade in APEC Region Conference (STAR XI) will be held on 4 August "
            "2020 in Penang, Malaysia with the theme \"Counter Terrorism and Secure Trade "
            "Strategy: Balancing Trade Security and Trade Facilitation\". This project supports "
            "the APEC Counter-Terrorism Working Group Strategic Plan 2018-2022, that is to "
            "provide a platform for APEC Economies to have a thematic discussion related to "
            "secure trade and the challenges in the region. The conference aims to discuss the "
            "risks in the region, reinforce the importance of establishing security trade "
            "controls and understanding the role of trade facilitation in implementing strategic "
            "trade controls. A total of 100 participants including experts and stakeholders from "
            "the public and private sectors from different industry sectors, including cargo "
            "transport sectors will attend the conference. The programme is in line with APEC's "
            "role in helping to protect the region's economic systems from disruption as well as "
            "the CTWG mission to assist member economies protect their supply chains as well as "
            "deliberate on cross cutting issues associated to counter-terrorism and secure trade."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "Human Security",
        "collaborators": (
            "Experts from APEC economies, international organisation from non-APEC economies, "
            "Sub Committee of Customs Procedure Working Group Meeting (SCCP), TPTWG, TWG, BMG, "
            "EPWG, Tel, private sectors"
        ),
        "event": "star-xi",
    },
    {
        "number": "1.7",
        "title": "Hold a Workshop on Soft Target Protection in an Aviation Security Context",
        "summary": (
            "The United States and co-sponsoring APEC member economies will hold a workshop based "
            "on the APEC Soft Target Protection Recommendations produced in April 2018. This "
            "workshop on soft target protection in an aviation security context will promote "
            "greater awareness and understanding of how to apply the recommendations in the "
            "aviation environment, and increase understanding of aviation security policies and "
            "practices among APEC member economies. This cross-fora workshop will result in a "
            "set of recommendations for developing, expanding, and/or implementing aviation "
            "security policies that address soft targets/public spaces and critical "
            "infrastructure, tailored to the APEC region and community."
        ),
        "mandate": MANDATE_2018,
        "ecotech_priority": "Human Security",
        "collaborators": "UN (UNOCT); GCTF; ICAO; OAS; IATA; APEC TPT, TWG, EPWG, Tel WG",
        "event": "aviation-soft-target-workshop",
    },
    {
        "number": "1.8",
        "title": "Report on the Promotion of Strategic Trade Management in the APEC region",
        "summary": (
            "At the 15th CTWG Meeting, Chile will present a preliminary report of the findings of "
            "the survey circulated by the 2019 CTWG Chair. A final report will be presented at "
            "the 16th CTWG Meeting. The overall aim is to make recommendations and propose lines "
            "of cooperation to implement and strengthen strategic trade controls in the APEC "
            "region."
        ),
        "mandate": (
            "Page 7 of the APEC Consolidated Counter-Terrorism and Secure Trade Strategy: "
            "\"Strategic Trade Management: Efforts should be made to implement and strengthen "
            "strategic trade controls among APEC member economies to prevent the diversion of "
            "dual-use and defense goods to terrorist actors.\""
        ),
        "ecotech_priority": "",
        "collaborators": "SCCP",
        "event": None,
    },
]

ASSUMED_MEETING_CAPACITY = (
    "Capacity of {n} is an assumption (the work plan gives no number): about two or three "
    "delegates for each of the 21 economies plus guests. Confirm or change it."
)
ASSUMED_TIMES = (
    "Session times are assumptions (the work plan gives topics, not times); the agenda is "
    "shown as provisional until you confirm it."
)
ASSUMED_TZ = (
    "Time zone Asia/Kuala_Lumpur is an assumption: the venue is not yet known. "
    "Change it when the host is confirmed."
)

EVENTS = [
    {
        "slug": "ctwg-15",
        "title": "15th Counter-Terrorism Working Group Meeting",
        "short_title": "CTWG 15",
        "kind": "meeting",
        "city": "Putrajaya",
        "venue_economy": "MAS",
        "start_date": date(2020, 2, 10),
        "end_date": date(2020, 2, 11),
        "capacity": 60,
        "description": (
            "The first meeting of the CTWG in 2020. It is expected to chart the activities for "
            "2020; discuss the implementation of the Counter-Terrorism and Secure Trade Strategy "
            "across member economies as a result of CTWG capacity building projects; and "
            "discuss and share information on new terrorist challenges in the APEC region, "
            "including the evolving terrorist threat related to ISIL and its affiliates, "
            "cross-border travel of foreign terrorist fighters and growing risk of terrorist "
            "financing. Chile will present a preliminary report of the findings of the survey on "
            "Strategic Trade Management."
        ),
        "collaborating_fora": "UNOCT, UNODC",
        "assumptions": [ASSUMED_MEETING_CAPACITY.format(n=60), ASSUMED_TIMES],
        "agenda": [
            ("Charting the activities of the CTWG for 2020", "plenary",
             (2020, 2, 10, 9, 0), (2020, 2, 10, 10, 30), ""),
            ("Implementation of the Counter-Terrorism and Secure Trade Strategy across member "
             "economies as a result of CTWG capacity building projects", "session",
             (2020, 2, 10, 11, 0), (2020, 2, 10, 12, 30), ""),
            ("New terrorist challenges in the APEC region", "session",
             (2020, 2, 10, 14, 0), (2020, 2, 10, 17, 0),
             "The evolving terrorist threat related to ISIL and its affiliates, cross-border "
             "travel of foreign terrorist fighters and the growing risk of terrorist financing."),
            ("Strategic Trade Management: preliminary report of the survey findings (Chile)",
             "session", (2020, 2, 11, 9, 0), (2020, 2, 11, 10, 30),
             "Chile presents a preliminary report of the findings of the survey circulated by "
             "the 2019 CTWG Chair (deliverable 1.8)."),
        ],
    },
    {
        "slug": "ctwg-16",
        "title": "16th Counter-Terrorism Working Group Meeting",
        "short_title": "CTWG 16",
        "kind": "meeting",
        "city": "Pulau Pinang",
        "venue_economy": "MAS",
        "tentative_month": "2020-08",
        "capacity": 60,
        "description": (
            "The second meeting of the CTWG in 2020. It is expected to review and discuss CTWG "
            "activities in 2020 for the CTWG Report to the APEC Steering Committee on Economic "
            "and Technical Cooperation; discuss CTWG projects and their outcomes; and discuss the "
            "implementation of the Counter-Terrorism and Secure Trade Strategy across member "
            "economies as a result of CTWG capacity building projects. The final report on "
            "Strategic Trade Management will be presented."
        ),
        "assumptions": [ASSUMED_MEETING_CAPACITY.format(n=60)],
        "agenda": [],
    },
    {
        "slug": "star-xi",
        "title": "11th Secure Trade in APEC Region Conference (STAR XI)",
        "short_title": "STAR XI",
        "kind": "conference",
        "city": "Penang",
        "venue_economy": "MAS",
        "start_date": date(2020, 8, 4),
        "end_date": date(2020, 8, 4),
        "capacity": 100,
        "theme": "Counter Terrorism and Secure Trade Strategy: Balancing Trade Security and "
        "Trade Facilitation",
        "description": (
            "A platform for APEC economies to have a thematic discussion related to secure trade "
            "and the challenges in the region. The conference aims to discuss the risks in the "
            "region, reinforce the importance of establishing security trade controls and "
            "understanding the role of trade facilitation in implementing strategic trade "
            "controls. A total of 100 participants, including experts and stakeholders from the "
            "public and private sectors from different industry sectors, including cargo "
            "transport sectors, will attend."
        ),
        "collaborating_fora": (
            "Experts from APEC economies, international organisation from non-APEC economies, "
            "SCCP, TPTWG, TWG, BMG, EPWG, Tel, private sectors"
        ),
        "assumptions": [ASSUMED_TIMES],
        "agenda": [
            ("Risks to secure trade in the APEC region", "session",
             (2020, 8, 4, 9, 0), (2020, 8, 4, 10, 30), ""),
            ("Establishing security trade controls", "session",
             (2020, 8, 4, 11, 0), (2020, 8, 4, 12, 30), ""),
            ("The role of trade facilitation in implementing strategic trade controls",
             "session", (2020, 8, 4, 14, 0), (2020, 8, 4, 16, 0), ""),
        ],
    },
    {
        "slug": "aviation-soft-target-workshop",
        "title": "Workshop on Soft Target Protection in an Aviation Security Context",
        "short_title": "Soft Target Protection Workshop",
        "kind": "workshop",
        "lead_economy": "USA",
        "co_sponsors": "Co-sponsoring APEC member economies (to be confirmed)",
        "capacity": 50,
        "description": (
            "Led by the United States with co-sponsoring APEC member economies, based on the APEC "
            "Soft Target Protection Recommendations produced in April 2018. The workshop will "
            "promote greater awareness and understanding of how to apply the recommendations in "
            "the aviation environment, and increase understanding of aviation security policies "
            "and practices among APEC member economies. It will result in a set of "
            "recommendations for developing, expanding, and/or implementing aviation security "
            "policies that address soft targets/public spaces and critical infrastructure, "
            "tailored to the APEC region and community."
        ),
        "collaborating_fora": "UN (UNOCT); GCTF; ICAO; OAS; IATA; APEC TPT, TWG, EPWG, Tel WG",
        "assumptions": [
            "Capacity of 50 is an assumption (the work plan gives no number). Confirm or change "
            "it.",
            ASSUMED_TZ,
        ],
        "agenda": [],
    },
]
